CREATE TABLE `manage_links` (
	`token_hash` text PRIMARY KEY NOT NULL,
	`member_id` text,
	`participant_id` text,
	`created_at` text NOT NULL,
	FOREIGN KEY (`member_id`) REFERENCES `members`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`participant_id`) REFERENCES `participants`(`id`) ON UPDATE no action ON DELETE cascade,
	CONSTRAINT "manage_links_one_holder" CHECK(("manage_links"."member_id" IS NULL) <> ("manage_links"."participant_id" IS NULL))
);
--> statement-breakpoint
CREATE INDEX `manage_links_member` ON `manage_links` (`member_id`);--> statement-breakpoint
CREATE INDEX `manage_links_participant` ON `manage_links` (`participant_id`);--> statement-breakpoint
ALTER TABLE `members` ADD `contact_phone` text DEFAULT '' NOT NULL;