CREATE TABLE `outbox_deliveries` (
	`id` text PRIMARY KEY NOT NULL,
	`message_id` text NOT NULL,
	`channel` text NOT NULL,
	`target` text NOT NULL,
	`status` text DEFAULT 'pending' NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`next_attempt_at_ms` integer NOT NULL,
	`claimed_at_ms` integer,
	`last_attempt_at` text,
	`last_status` integer,
	`last_error` text,
	`delivered_at` text,
	`created_at` text NOT NULL,
	FOREIGN KEY (`message_id`) REFERENCES `outbox_messages`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `outbox_deliveries_message_target` ON `outbox_deliveries` (`message_id`,`channel`,`target`);--> statement-breakpoint
CREATE INDEX `outbox_deliveries_due` ON `outbox_deliveries` (`status`,`next_attempt_at_ms`);--> statement-breakpoint
CREATE INDEX `outbox_deliveries_target` ON `outbox_deliveries` (`channel`,`target`,`created_at`);--> statement-breakpoint
CREATE TABLE `outbox_messages` (
	`id` text PRIMARY KEY NOT NULL,
	`network_slug` text NOT NULL,
	`type` text NOT NULL,
	`payload` text NOT NULL,
	`recipients` text DEFAULT '[]' NOT NULL,
	`created_at` text NOT NULL,
	`fanned_out_at` text
);
--> statement-breakpoint
CREATE INDEX `outbox_messages_unfanned` ON `outbox_messages` (`fanned_out_at`,`created_at`);--> statement-breakpoint
CREATE TABLE `webhook_endpoints` (
	`id` text PRIMARY KEY NOT NULL,
	`network_slug` text NOT NULL,
	`url` text NOT NULL,
	`events` text NOT NULL,
	`secret` text NOT NULL,
	`status` text DEFAULT 'active' NOT NULL,
	`failures` integer DEFAULT 0 NOT NULL,
	`disabled_at` text,
	`disabled_reason` text,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	`version` integer DEFAULT 1 NOT NULL,
	FOREIGN KEY (`network_slug`) REFERENCES `networks`(`slug`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `webhook_endpoints_network` ON `webhook_endpoints` (`network_slug`,`id`);--> statement-breakpoint
ALTER TABLE `participants` ADD `language` text DEFAULT 'da' NOT NULL;--> statement-breakpoint
ALTER TABLE `participants` ADD `change_emails` integer DEFAULT 1 NOT NULL;--> statement-breakpoint
ALTER TABLE `participants` ADD `email_token` text;--> statement-breakpoint
CREATE UNIQUE INDEX `participants_email_token` ON `participants` (`email_token`);--> statement-breakpoint
CREATE TRIGGER audit_webhook_endpoints_insert AFTER INSERT ON webhook_endpoints BEGIN INSERT INTO audit_log (at, actor, token_id, action, entity, entity_id, network_slug, before, after) VALUES (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), audit_actor(), audit_token_id(), 'create', 'webhook', NEW.id, NEW.network_slug, NULL, json_object('id', NEW.id, 'network_slug', NEW.network_slug, 'url', NEW.url, 'events', NEW.events, 'status', NEW.status, 'disabled_at', NEW.disabled_at, 'disabled_reason', NEW.disabled_reason, 'created_at', NEW.created_at, 'updated_at', NEW.updated_at, 'version', NEW.version)); END;
--> statement-breakpoint
CREATE TRIGGER audit_webhook_endpoints_update AFTER UPDATE ON webhook_endpoints WHEN json_object('id', OLD.id, 'network_slug', OLD.network_slug, 'url', OLD.url, 'events', OLD.events, 'status', OLD.status, 'disabled_at', OLD.disabled_at, 'disabled_reason', OLD.disabled_reason, 'created_at', OLD.created_at, 'updated_at', OLD.updated_at, 'version', OLD.version) IS NOT json_object('id', NEW.id, 'network_slug', NEW.network_slug, 'url', NEW.url, 'events', NEW.events, 'status', NEW.status, 'disabled_at', NEW.disabled_at, 'disabled_reason', NEW.disabled_reason, 'created_at', NEW.created_at, 'updated_at', NEW.updated_at, 'version', NEW.version) BEGIN INSERT INTO audit_log (at, actor, token_id, action, entity, entity_id, network_slug, before, after) VALUES (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), audit_actor(), audit_token_id(), 'update', 'webhook', NEW.id, NEW.network_slug, json_object('id', OLD.id, 'network_slug', OLD.network_slug, 'url', OLD.url, 'events', OLD.events, 'status', OLD.status, 'disabled_at', OLD.disabled_at, 'disabled_reason', OLD.disabled_reason, 'created_at', OLD.created_at, 'updated_at', OLD.updated_at, 'version', OLD.version), json_object('id', NEW.id, 'network_slug', NEW.network_slug, 'url', NEW.url, 'events', NEW.events, 'status', NEW.status, 'disabled_at', NEW.disabled_at, 'disabled_reason', NEW.disabled_reason, 'created_at', NEW.created_at, 'updated_at', NEW.updated_at, 'version', NEW.version)); END;
--> statement-breakpoint
CREATE TRIGGER audit_webhook_endpoints_delete AFTER DELETE ON webhook_endpoints BEGIN INSERT INTO audit_log (at, actor, token_id, action, entity, entity_id, network_slug, before, after) VALUES (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), audit_actor(), audit_token_id(), 'delete', 'webhook', OLD.id, OLD.network_slug, json_object('id', OLD.id, 'network_slug', OLD.network_slug, 'url', OLD.url, 'events', OLD.events, 'status', OLD.status, 'disabled_at', OLD.disabled_at, 'disabled_reason', OLD.disabled_reason, 'created_at', OLD.created_at, 'updated_at', OLD.updated_at, 'version', OLD.version), NULL); END;
