CREATE TABLE `feed_events` (
	`uid` text PRIMARY KEY NOT NULL,
	`kind` text NOT NULL,
	`network_slug` text NOT NULL,
	`meeting_id` text NOT NULL,
	`item_id` text,
	`track_id` text,
	`theme_keys` text DEFAULT '[]' NOT NULL,
	`sequence` integer DEFAULT 0 NOT NULL,
	`fingerprint` text NOT NULL,
	`content` text NOT NULL,
	`created_at` text NOT NULL,
	`last_modified` text NOT NULL,
	`cancelled_at` text
);
--> statement-breakpoint
CREATE INDEX `feed_events_network` ON `feed_events` (`network_slug`);--> statement-breakpoint
CREATE INDEX `feed_events_meeting` ON `feed_events` (`meeting_id`);--> statement-breakpoint
CREATE TABLE `releases` (
	`id` text PRIMARY KEY NOT NULL,
	`meeting_id` text NOT NULL,
	`number` integer NOT NULL,
	`note` text DEFAULT '' NOT NULL,
	`created_by` text DEFAULT '' NOT NULL,
	`snapshot` text NOT NULL,
	`changelog` text NOT NULL,
	`created_at` text NOT NULL,
	FOREIGN KEY (`meeting_id`) REFERENCES `meetings`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `releases_meeting_number` ON `releases` (`meeting_id`,`number`);