CREATE TABLE `service_keys` (
	`name` text PRIMARY KEY NOT NULL,
	`value` text NOT NULL,
	`created_at` text NOT NULL
);
--> statement-breakpoint
ALTER TABLE `participants` ADD `generation` integer DEFAULT 0 NOT NULL;