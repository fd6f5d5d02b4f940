CREATE TABLE `feed_bodies` (
	`scope` text PRIMARY KEY NOT NULL,
	`etag` text NOT NULL,
	`last_modified_ms` integer NOT NULL,
	`expires_at_ms` integer,
	`plain` blob NOT NULL,
	`gzip` blob NOT NULL,
	`br` blob NOT NULL
);
--> statement-breakpoint
CREATE TABLE `feed_meta` (
	`key` text PRIMARY KEY NOT NULL,
	`value` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `feed_queue` (
	`kind` text NOT NULL,
	`key` text NOT NULL,
	PRIMARY KEY(`kind`, `key`)
);
--> statement-breakpoint
CREATE TABLE `feed_scope_events` (
	`scope` text NOT NULL,
	`uid` text NOT NULL,
	`meeting_id` text NOT NULL,
	`sequence` integer NOT NULL,
	`present` integer NOT NULL,
	`changed_at` text NOT NULL,
	PRIMARY KEY(`scope`, `uid`)
);
--> statement-breakpoint
CREATE INDEX `feed_scope_events_meeting` ON `feed_scope_events` (`meeting_id`);--> statement-breakpoint
ALTER TABLE `feed_events` ADD `published` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `feed_events` ADD `scoped` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `feed_events` ADD `sort_key` text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE `feed_events` ADD `tzid` text;--> statement-breakpoint
ALTER TABLE `feed_events` ADD `ics_live` text;--> statement-breakpoint
ALTER TABLE `feed_events` ADD `ics_cancelled` text;--> statement-breakpoint
-- Feeds are built when something is published, not when someone polls. Each change that alters what a feed
-- shows queues work for the feed publisher in the same transaction (these triggers, so no write path can
-- forget it); the publisher drains the queue right after the write. The existing events keep their UIDs and
-- SEQUENCEs: every meeting is queued once here, and the first drain works out each feed's events from them
-- (cancelled ones inside their 30 days included). The triggers test for an existing entry instead of using
-- INSERT OR IGNORE: a foreign-key action (ON DELETE SET NULL) runs them with ABORT, which overrides OR IGNORE.
CREATE TRIGGER feed_meetings_insert AFTER INSERT ON meetings BEGIN INSERT INTO feed_queue (kind, key) SELECT 'meeting', NEW.id WHERE NOT EXISTS (SELECT 1 FROM feed_queue WHERE kind = 'meeting' AND key = NEW.id); END;
--> statement-breakpoint
CREATE TRIGGER feed_meetings_update AFTER UPDATE ON meetings WHEN OLD.title IS NOT NEW.title OR OLD.date IS NOT NEW.date OR OLD.start_time IS NOT NEW.start_time OR OLD.end_time IS NOT NEW.end_time OR OLD.time_zone IS NOT NEW.time_zone OR OLD.venue_id IS NOT NEW.venue_id OR OLD.status IS NOT NEW.status OR OLD.description IS NOT NEW.description OR OLD.cluster_id IS NOT NEW.cluster_id OR OLD.network_slug IS NOT NEW.network_slug BEGIN INSERT INTO feed_queue (kind, key) SELECT 'meeting', NEW.id WHERE NOT EXISTS (SELECT 1 FROM feed_queue WHERE kind = 'meeting' AND key = NEW.id); END;
--> statement-breakpoint
CREATE TRIGGER feed_meetings_delete AFTER DELETE ON meetings BEGIN INSERT INTO feed_queue (kind, key) SELECT 'meeting', OLD.id WHERE NOT EXISTS (SELECT 1 FROM feed_queue WHERE kind = 'meeting' AND key = OLD.id); END;
--> statement-breakpoint
CREATE TRIGGER feed_releases_insert AFTER INSERT ON releases BEGIN INSERT INTO feed_queue (kind, key) SELECT 'meeting', NEW.meeting_id WHERE NOT EXISTS (SELECT 1 FROM feed_queue WHERE kind = 'meeting' AND key = NEW.meeting_id); END;
--> statement-breakpoint
CREATE TRIGGER feed_releases_delete AFTER DELETE ON releases BEGIN INSERT INTO feed_queue (kind, key) SELECT 'meeting', OLD.meeting_id WHERE NOT EXISTS (SELECT 1 FROM feed_queue WHERE kind = 'meeting' AND key = OLD.meeting_id); END;
--> statement-breakpoint
CREATE TRIGGER feed_venues_update AFTER UPDATE ON venues WHEN OLD.name IS NOT NEW.name OR OLD.street_address IS NOT NEW.street_address OR OLD.postal_code IS NOT NEW.postal_code OR OLD.city IS NOT NEW.city OR OLD.latitude IS NOT NEW.latitude OR OLD.longitude IS NOT NEW.longitude BEGIN INSERT INTO feed_queue (kind, key) SELECT 'meeting', id FROM meetings WHERE venue_id = NEW.id AND NOT EXISTS (SELECT 1 FROM feed_queue q WHERE q.kind = 'meeting' AND q.key = meetings.id); END;
--> statement-breakpoint
CREATE TRIGGER feed_networks_insert AFTER INSERT ON networks BEGIN INSERT INTO feed_queue (kind, key) SELECT 'network', NEW.slug WHERE NOT EXISTS (SELECT 1 FROM feed_queue WHERE kind = 'network' AND key = NEW.slug); END;
--> statement-breakpoint
CREATE TRIGGER feed_networks_update AFTER UPDATE ON networks WHEN OLD.name IS NOT NEW.name OR OLD.description IS NOT NEW.description OR OLD.organiser_name IS NOT NEW.organiser_name OR OLD.organiser_email IS NOT NEW.organiser_email BEGIN INSERT INTO feed_queue (kind, key) SELECT 'network', NEW.slug WHERE NOT EXISTS (SELECT 1 FROM feed_queue WHERE kind = 'network' AND key = NEW.slug); INSERT INTO feed_queue (kind, key) SELECT 'meeting', id FROM meetings WHERE network_slug = NEW.slug AND NOT EXISTS (SELECT 1 FROM feed_queue q WHERE q.kind = 'meeting' AND q.key = meetings.id); END;
--> statement-breakpoint
CREATE TRIGGER feed_networks_delete AFTER DELETE ON networks BEGIN INSERT INTO feed_queue (kind, key) SELECT 'network', OLD.slug WHERE NOT EXISTS (SELECT 1 FROM feed_queue WHERE kind = 'network' AND key = OLD.slug); END;
--> statement-breakpoint
CREATE TRIGGER feed_themes_insert AFTER INSERT ON themes BEGIN INSERT INTO feed_queue (kind, key) SELECT 'body', 'theme:' || NEW.network_slug || '/' || NEW.key WHERE NOT EXISTS (SELECT 1 FROM feed_queue WHERE kind = 'body' AND key = 'theme:' || NEW.network_slug || '/' || NEW.key); END;
--> statement-breakpoint
CREATE TRIGGER feed_themes_update AFTER UPDATE ON themes WHEN OLD.name IS NOT NEW.name OR OLD.description IS NOT NEW.description OR OLD.key IS NOT NEW.key BEGIN INSERT INTO feed_queue (kind, key) SELECT 'body', 'theme:' || OLD.network_slug || '/' || OLD.key WHERE NOT EXISTS (SELECT 1 FROM feed_queue WHERE kind = 'body' AND key = 'theme:' || OLD.network_slug || '/' || OLD.key); INSERT INTO feed_queue (kind, key) SELECT 'body', 'theme:' || NEW.network_slug || '/' || NEW.key WHERE NOT EXISTS (SELECT 1 FROM feed_queue WHERE kind = 'body' AND key = 'theme:' || NEW.network_slug || '/' || NEW.key); END;
--> statement-breakpoint
CREATE TRIGGER feed_themes_delete AFTER DELETE ON themes BEGIN INSERT INTO feed_queue (kind, key) SELECT 'body', 'theme:' || OLD.network_slug || '/' || OLD.key WHERE NOT EXISTS (SELECT 1 FROM feed_queue WHERE kind = 'body' AND key = 'theme:' || OLD.network_slug || '/' || OLD.key); END;
--> statement-breakpoint
CREATE TRIGGER feed_clusters_insert AFTER INSERT ON clusters BEGIN INSERT INTO feed_queue (kind, key) SELECT 'body', 'cluster:' || NEW.id WHERE NOT EXISTS (SELECT 1 FROM feed_queue WHERE kind = 'body' AND key = 'cluster:' || NEW.id); END;
--> statement-breakpoint
CREATE TRIGGER feed_clusters_update AFTER UPDATE ON clusters WHEN OLD.name IS NOT NEW.name BEGIN INSERT INTO feed_queue (kind, key) SELECT 'body', 'cluster:' || NEW.id WHERE NOT EXISTS (SELECT 1 FROM feed_queue WHERE kind = 'body' AND key = 'cluster:' || NEW.id); END;
--> statement-breakpoint
CREATE TRIGGER feed_clusters_delete AFTER DELETE ON clusters BEGIN INSERT INTO feed_queue (kind, key) SELECT 'body', 'cluster:' || OLD.id WHERE NOT EXISTS (SELECT 1 FROM feed_queue WHERE kind = 'body' AND key = 'cluster:' || OLD.id); INSERT INTO feed_queue (kind, key) SELECT 'meeting', id FROM meetings WHERE cluster_id = OLD.id AND NOT EXISTS (SELECT 1 FROM feed_queue q WHERE q.kind = 'meeting' AND q.key = meetings.id); END;
--> statement-breakpoint
CREATE TRIGGER feed_registrations_insert AFTER INSERT ON registrations BEGIN INSERT INTO feed_queue (kind, key) SELECT 'personal', NEW.meeting_id || ' ' || NEW.participant_id WHERE NOT EXISTS (SELECT 1 FROM feed_queue WHERE kind = 'personal' AND key = NEW.meeting_id || ' ' || NEW.participant_id); END;
--> statement-breakpoint
CREATE TRIGGER feed_registrations_update AFTER UPDATE ON registrations WHEN OLD.status IS NOT NEW.status OR OLD.track_id IS NOT NEW.track_id OR OLD.meeting_id IS NOT NEW.meeting_id OR OLD.participant_id IS NOT NEW.participant_id BEGIN INSERT INTO feed_queue (kind, key) SELECT 'personal', OLD.meeting_id || ' ' || OLD.participant_id WHERE NOT EXISTS (SELECT 1 FROM feed_queue WHERE kind = 'personal' AND key = OLD.meeting_id || ' ' || OLD.participant_id); INSERT INTO feed_queue (kind, key) SELECT 'personal', NEW.meeting_id || ' ' || NEW.participant_id WHERE NOT EXISTS (SELECT 1 FROM feed_queue WHERE kind = 'personal' AND key = NEW.meeting_id || ' ' || NEW.participant_id); END;
--> statement-breakpoint
CREATE TRIGGER feed_registrations_delete AFTER DELETE ON registrations BEGIN INSERT INTO feed_queue (kind, key) SELECT 'personal', OLD.meeting_id || ' ' || OLD.participant_id WHERE NOT EXISTS (SELECT 1 FROM feed_queue WHERE kind = 'personal' AND key = OLD.meeting_id || ' ' || OLD.participant_id); END;
--> statement-breakpoint
CREATE TRIGGER feed_participants_delete AFTER DELETE ON participants BEGIN INSERT INTO feed_queue (kind, key) SELECT 'body', 'personal:' || OLD.id WHERE NOT EXISTS (SELECT 1 FROM feed_queue WHERE kind = 'body' AND key = 'personal:' || OLD.id); END;
--> statement-breakpoint
INSERT OR IGNORE INTO feed_queue (kind, key) SELECT 'meeting', id FROM meetings;
--> statement-breakpoint
INSERT OR IGNORE INTO feed_queue (kind, key) SELECT DISTINCT 'meeting', meeting_id FROM feed_events;
--> statement-breakpoint
INSERT OR IGNORE INTO feed_queue (kind, key) SELECT 'network', slug FROM networks;
