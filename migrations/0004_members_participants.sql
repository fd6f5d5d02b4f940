CREATE TABLE `clusters` (
	`id` text PRIMARY KEY NOT NULL,
	`network_slug` text NOT NULL,
	`name` text NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	`version` integer DEFAULT 1 NOT NULL,
	FOREIGN KEY (`network_slug`) REFERENCES `networks`(`slug`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `clusters_network` ON `clusters` (`network_slug`);--> statement-breakpoint
CREATE TABLE `members` (
	`id` text PRIMARY KEY NOT NULL,
	`network_slug` text NOT NULL,
	`municipality_code` integer NOT NULL,
	`contact_name` text NOT NULL,
	`contact_email` text NOT NULL,
	`contact_role` text DEFAULT '' NOT NULL,
	`status` text DEFAULT 'active' NOT NULL,
	`cluster_id` text,
	`signed_up_at` text NOT NULL,
	`withdrawn_at` text,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	`version` integer DEFAULT 1 NOT NULL,
	FOREIGN KEY (`network_slug`) REFERENCES `networks`(`slug`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`municipality_code`) REFERENCES `municipalities`(`code`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`cluster_id`) REFERENCES `clusters`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE UNIQUE INDEX `members_network_municipality` ON `members` (`network_slug`,`municipality_code`);--> statement-breakpoint
CREATE INDEX `members_cluster` ON `members` (`cluster_id`);--> statement-breakpoint
CREATE TABLE `municipalities` (
	`code` integer PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`region` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `participants` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`email` text NOT NULL,
	`role` text DEFAULT '' NOT NULL,
	`municipality_code` integer,
	`feed_token_hash` text NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	`version` integer DEFAULT 1 NOT NULL,
	FOREIGN KEY (`municipality_code`) REFERENCES `municipalities`(`code`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `participants_feed_token_hash_unique` ON `participants` (`feed_token_hash`);--> statement-breakpoint
CREATE TABLE `proposal_votes` (
	`proposal_id` text NOT NULL,
	`participant_id` text NOT NULL,
	`created_at` text NOT NULL,
	PRIMARY KEY(`proposal_id`, `participant_id`),
	FOREIGN KEY (`proposal_id`) REFERENCES `theme_proposals`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`participant_id`) REFERENCES `participants`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `registrations` (
	`id` text PRIMARY KEY NOT NULL,
	`meeting_id` text NOT NULL,
	`participant_id` text NOT NULL,
	`track_id` text,
	`status` text NOT NULL,
	`queued_at` integer NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	`version` integer DEFAULT 1 NOT NULL,
	FOREIGN KEY (`meeting_id`) REFERENCES `meetings`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`participant_id`) REFERENCES `participants`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`track_id`) REFERENCES `tracks`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE INDEX `registrations_meeting` ON `registrations` (`meeting_id`,`status`,`queued_at`);--> statement-breakpoint
CREATE INDEX `registrations_participant` ON `registrations` (`participant_id`);--> statement-breakpoint
CREATE TABLE `theme_proposals` (
	`id` text PRIMARY KEY NOT NULL,
	`network_slug` text NOT NULL,
	`meeting_id` text,
	`participant_id` text,
	`title` text NOT NULL,
	`description` text DEFAULT '' NOT NULL,
	`status` text DEFAULT 'open' NOT NULL,
	`theme_id` text,
	`item_id` text,
	`decision_note` text DEFAULT '' NOT NULL,
	`decided_at` text,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	`version` integer DEFAULT 1 NOT NULL,
	FOREIGN KEY (`network_slug`) REFERENCES `networks`(`slug`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`meeting_id`) REFERENCES `meetings`(`id`) ON UPDATE no action ON DELETE set null,
	FOREIGN KEY (`participant_id`) REFERENCES `participants`(`id`) ON UPDATE no action ON DELETE set null,
	FOREIGN KEY (`theme_id`) REFERENCES `themes`(`id`) ON UPDATE no action ON DELETE set null,
	FOREIGN KEY (`item_id`) REFERENCES `agenda_items`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE INDEX `proposals_network` ON `theme_proposals` (`network_slug`,`status`);--> statement-breakpoint
ALTER TABLE `meetings` ADD `registration_deadline` text;--> statement-breakpoint
ALTER TABLE `meetings` ADD `cluster_id` text;--> statement-breakpoint
CREATE INDEX `meetings_cluster` ON `meetings` (`cluster_id`);--> statement-breakpoint
ALTER TABLE `networks` ADD `signup_opens` text;--> statement-breakpoint
ALTER TABLE `networks` ADD `signup_deadline` text;--> statement-breakpoint
ALTER TABLE `networks` ADD `target_group` text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE `networks` ADD `cluster_min_size` integer;--> statement-breakpoint
ALTER TABLE `networks` ADD `cluster_max_size` integer;--> statement-breakpoint
ALTER TABLE `tracks` ADD `capacity` integer;