CREATE TABLE `feed_scope_chunks` (
	`scope` text NOT NULL,
	`meeting_id` text NOT NULL,
	`first_key` text NOT NULL,
	`text` blob NOT NULL,
	`last_modified_ms` integer NOT NULL,
	`expires_at_ms` integer,
	`tzids` text,
	PRIMARY KEY(`scope`, `meeting_id`)
);
--> statement-breakpoint
CREATE INDEX `feed_scope_chunks_meeting` ON `feed_scope_chunks` (`meeting_id`);--> statement-breakpoint
CREATE INDEX `feed_scope_events_scope_meeting` ON `feed_scope_events` (`scope`,`meeting_id`);--> statement-breakpoint
CREATE TRIGGER feed_chunks_scope_insert AFTER INSERT ON feed_scope_events BEGIN DELETE FROM feed_scope_chunks WHERE scope = NEW.scope AND meeting_id = NEW.meeting_id; END;
--> statement-breakpoint
CREATE TRIGGER feed_chunks_scope_update AFTER UPDATE ON feed_scope_events BEGIN DELETE FROM feed_scope_chunks WHERE scope = OLD.scope AND meeting_id = OLD.meeting_id; DELETE FROM feed_scope_chunks WHERE scope = NEW.scope AND meeting_id = NEW.meeting_id; END;
--> statement-breakpoint
CREATE TRIGGER feed_chunks_scope_delete AFTER DELETE ON feed_scope_events BEGIN DELETE FROM feed_scope_chunks WHERE scope = OLD.scope AND meeting_id = OLD.meeting_id; END;
--> statement-breakpoint
CREATE TRIGGER feed_chunks_event_update AFTER UPDATE ON feed_events BEGIN DELETE FROM feed_scope_chunks WHERE meeting_id = OLD.meeting_id; DELETE FROM feed_scope_chunks WHERE meeting_id = NEW.meeting_id; END;
--> statement-breakpoint
CREATE TRIGGER feed_chunks_event_delete AFTER DELETE ON feed_events BEGIN DELETE FROM feed_scope_chunks WHERE meeting_id = OLD.meeting_id; END;
