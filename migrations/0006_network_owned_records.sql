-- Venues, speakers and participants belong to a network (issue: personal data stays in its network).
-- Every existing record goes to the network(s) that use it: a record used by several networks is split into
-- one copy per network. The network that used it first keeps the original id (so ids held by feeds and
-- integrators stay valid there); the others get a copy with a new id, and their meetings, agenda items,
-- registrations, proposals, votes and release snapshots are pointed at it. A participant's copies share the
-- personal-feed secret (the feed at that secret shows them all), so no subscribed calendar breaks. Records
-- no network uses go to the single network of the token that created them (from the audit trail) or stay
-- unassigned (network_slug NULL: visible to admins only, who assign them).
DROP INDEX `participants_feed_token_hash_unique`;--> statement-breakpoint
ALTER TABLE `participants` ADD `network_slug` text REFERENCES networks(slug) ON DELETE restrict;--> statement-breakpoint
CREATE INDEX `participants_network` ON `participants` (`network_slug`,`name`,`id`);--> statement-breakpoint
CREATE INDEX `participants_feed_token` ON `participants` (`feed_token_hash`);--> statement-breakpoint
ALTER TABLE `speakers` ADD `network_slug` text REFERENCES networks(slug) ON DELETE restrict;--> statement-breakpoint
CREATE INDEX `speakers_network` ON `speakers` (`network_slug`,`name`,`id`);--> statement-breakpoint
ALTER TABLE `venues` ADD `network_slug` text REFERENCES networks(slug) ON DELETE restrict;--> statement-breakpoint
CREATE INDEX `venues_network` ON `venues` (`network_slug`,`name`,`id`);--> statement-breakpoint
DROP TRIGGER audit_venues_insert;--> statement-breakpoint
DROP TRIGGER audit_venues_update;--> statement-breakpoint
DROP TRIGGER audit_venues_delete;--> statement-breakpoint
DROP TRIGGER audit_speakers_insert;--> statement-breakpoint
DROP TRIGGER audit_speakers_update;--> statement-breakpoint
DROP TRIGGER audit_speakers_delete;--> statement-breakpoint
DROP TRIGGER audit_participants_insert;--> statement-breakpoint
DROP TRIGGER audit_participants_update;--> statement-breakpoint
DROP TRIGGER audit_participants_delete;--> statement-breakpoint
CREATE TRIGGER audit_venues_insert AFTER INSERT ON venues BEGIN INSERT INTO audit_log (at, actor, token_id, action, entity, entity_id, network_slug, before, after) VALUES (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), audit_actor(), audit_token_id(), 'create', 'venue', NEW.id, NEW.network_slug, NULL, json_object('id', NEW.id, 'network_slug', NEW.network_slug, 'name', NEW.name, 'street_address', NEW.street_address, 'postal_code', NEW.postal_code, 'city', NEW.city, 'latitude', NEW.latitude, 'longitude', NEW.longitude, 'created_at', NEW.created_at, 'updated_at', NEW.updated_at, 'version', NEW.version)); END;
--> statement-breakpoint
CREATE TRIGGER audit_venues_update AFTER UPDATE ON venues WHEN json_object('id', OLD.id, 'network_slug', OLD.network_slug, 'name', OLD.name, 'street_address', OLD.street_address, 'postal_code', OLD.postal_code, 'city', OLD.city, 'latitude', OLD.latitude, 'longitude', OLD.longitude, 'created_at', OLD.created_at, 'updated_at', OLD.updated_at, 'version', OLD.version) IS NOT json_object('id', NEW.id, 'network_slug', NEW.network_slug, 'name', NEW.name, 'street_address', NEW.street_address, 'postal_code', NEW.postal_code, 'city', NEW.city, 'latitude', NEW.latitude, 'longitude', NEW.longitude, 'created_at', NEW.created_at, 'updated_at', NEW.updated_at, 'version', NEW.version) BEGIN INSERT INTO audit_log (at, actor, token_id, action, entity, entity_id, network_slug, before, after) VALUES (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), audit_actor(), audit_token_id(), 'update', 'venue', NEW.id, NEW.network_slug, json_object('id', OLD.id, 'network_slug', OLD.network_slug, 'name', OLD.name, 'street_address', OLD.street_address, 'postal_code', OLD.postal_code, 'city', OLD.city, 'latitude', OLD.latitude, 'longitude', OLD.longitude, 'created_at', OLD.created_at, 'updated_at', OLD.updated_at, 'version', OLD.version), json_object('id', NEW.id, 'network_slug', NEW.network_slug, 'name', NEW.name, 'street_address', NEW.street_address, 'postal_code', NEW.postal_code, 'city', NEW.city, 'latitude', NEW.latitude, 'longitude', NEW.longitude, 'created_at', NEW.created_at, 'updated_at', NEW.updated_at, 'version', NEW.version)); END;
--> statement-breakpoint
CREATE TRIGGER audit_venues_delete AFTER DELETE ON venues BEGIN INSERT INTO audit_log (at, actor, token_id, action, entity, entity_id, network_slug, before, after) VALUES (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), audit_actor(), audit_token_id(), 'delete', 'venue', OLD.id, OLD.network_slug, json_object('id', OLD.id, 'network_slug', OLD.network_slug, 'name', OLD.name, 'street_address', OLD.street_address, 'postal_code', OLD.postal_code, 'city', OLD.city, 'latitude', OLD.latitude, 'longitude', OLD.longitude, 'created_at', OLD.created_at, 'updated_at', OLD.updated_at, 'version', OLD.version), NULL); END;
--> statement-breakpoint
CREATE TRIGGER audit_speakers_insert AFTER INSERT ON speakers BEGIN INSERT INTO audit_log (at, actor, token_id, action, entity, entity_id, network_slug, before, after) VALUES (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), audit_actor(), audit_token_id(), 'create', 'speaker', NEW.id, NEW.network_slug, NULL, json_object('id', NEW.id, 'network_slug', NEW.network_slug, 'name', NEW.name, 'title', NEW.title, 'organisation', NEW.organisation, 'email', NEW.email, 'created_at', NEW.created_at, 'updated_at', NEW.updated_at, 'version', NEW.version)); END;
--> statement-breakpoint
CREATE TRIGGER audit_speakers_update AFTER UPDATE ON speakers WHEN json_object('id', OLD.id, 'network_slug', OLD.network_slug, 'name', OLD.name, 'title', OLD.title, 'organisation', OLD.organisation, 'email', OLD.email, 'created_at', OLD.created_at, 'updated_at', OLD.updated_at, 'version', OLD.version) IS NOT json_object('id', NEW.id, 'network_slug', NEW.network_slug, 'name', NEW.name, 'title', NEW.title, 'organisation', NEW.organisation, 'email', NEW.email, 'created_at', NEW.created_at, 'updated_at', NEW.updated_at, 'version', NEW.version) BEGIN INSERT INTO audit_log (at, actor, token_id, action, entity, entity_id, network_slug, before, after) VALUES (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), audit_actor(), audit_token_id(), 'update', 'speaker', NEW.id, NEW.network_slug, json_object('id', OLD.id, 'network_slug', OLD.network_slug, 'name', OLD.name, 'title', OLD.title, 'organisation', OLD.organisation, 'email', OLD.email, 'created_at', OLD.created_at, 'updated_at', OLD.updated_at, 'version', OLD.version), json_object('id', NEW.id, 'network_slug', NEW.network_slug, 'name', NEW.name, 'title', NEW.title, 'organisation', NEW.organisation, 'email', NEW.email, 'created_at', NEW.created_at, 'updated_at', NEW.updated_at, 'version', NEW.version)); END;
--> statement-breakpoint
CREATE TRIGGER audit_speakers_delete AFTER DELETE ON speakers BEGIN INSERT INTO audit_log (at, actor, token_id, action, entity, entity_id, network_slug, before, after) VALUES (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), audit_actor(), audit_token_id(), 'delete', 'speaker', OLD.id, OLD.network_slug, json_object('id', OLD.id, 'network_slug', OLD.network_slug, 'name', OLD.name, 'title', OLD.title, 'organisation', OLD.organisation, 'email', OLD.email, 'created_at', OLD.created_at, 'updated_at', OLD.updated_at, 'version', OLD.version), NULL); END;
--> statement-breakpoint
CREATE TRIGGER audit_participants_insert AFTER INSERT ON participants BEGIN INSERT INTO audit_log (at, actor, token_id, action, entity, entity_id, network_slug, before, after) VALUES (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), audit_actor(), audit_token_id(), 'create', 'participant', NEW.id, NEW.network_slug, NULL, json_object('id', NEW.id, 'network_slug', NEW.network_slug, 'municipality_code', NEW.municipality_code, 'created_at', NEW.created_at, 'updated_at', NEW.updated_at, 'version', NEW.version)); END;
--> statement-breakpoint
CREATE TRIGGER audit_participants_update AFTER UPDATE ON participants WHEN json_object('id', OLD.id, 'network_slug', OLD.network_slug, 'municipality_code', OLD.municipality_code, 'created_at', OLD.created_at, 'updated_at', OLD.updated_at, 'version', OLD.version) IS NOT json_object('id', NEW.id, 'network_slug', NEW.network_slug, 'municipality_code', NEW.municipality_code, 'created_at', NEW.created_at, 'updated_at', NEW.updated_at, 'version', NEW.version) BEGIN INSERT INTO audit_log (at, actor, token_id, action, entity, entity_id, network_slug, before, after) VALUES (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), audit_actor(), audit_token_id(), 'update', 'participant', NEW.id, NEW.network_slug, json_object('id', OLD.id, 'network_slug', OLD.network_slug, 'municipality_code', OLD.municipality_code, 'created_at', OLD.created_at, 'updated_at', OLD.updated_at, 'version', OLD.version), json_object('id', NEW.id, 'network_slug', NEW.network_slug, 'municipality_code', NEW.municipality_code, 'created_at', NEW.created_at, 'updated_at', NEW.updated_at, 'version', NEW.version)); END;
--> statement-breakpoint
CREATE TRIGGER audit_participants_delete AFTER DELETE ON participants BEGIN INSERT INTO audit_log (at, actor, token_id, action, entity, entity_id, network_slug, before, after) VALUES (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), audit_actor(), audit_token_id(), 'delete', 'participant', OLD.id, OLD.network_slug, json_object('id', OLD.id, 'network_slug', OLD.network_slug, 'municipality_code', OLD.municipality_code, 'created_at', OLD.created_at, 'updated_at', OLD.updated_at, 'version', OLD.version), NULL); END;
--> statement-breakpoint
-- Who uses what, and since when.
CREATE TABLE `_m6_use` (`kind` text NOT NULL, `id` text NOT NULL, `network_slug` text NOT NULL, `at` text NOT NULL);--> statement-breakpoint
INSERT INTO `_m6_use` SELECT 'venue', n.default_venue_id, n.slug, n.created_at FROM networks n WHERE n.default_venue_id IS NOT NULL;--> statement-breakpoint
INSERT INTO `_m6_use` SELECT 'venue', m.venue_id, m.network_slug, m.created_at FROM meetings m WHERE m.venue_id IS NOT NULL;--> statement-breakpoint
INSERT INTO `_m6_use` SELECT 'speaker', s.speaker_id, m.network_slug, i.created_at FROM item_speakers s JOIN agenda_items i ON i.id = s.item_id JOIN meetings m ON m.id = i.meeting_id;--> statement-breakpoint
INSERT INTO `_m6_use` SELECT 'participant', r.participant_id, m.network_slug, r.created_at FROM registrations r JOIN meetings m ON m.id = r.meeting_id;--> statement-breakpoint
INSERT INTO `_m6_use` SELECT 'participant', p.participant_id, p.network_slug, p.created_at FROM theme_proposals p WHERE p.participant_id IS NOT NULL;--> statement-breakpoint
INSERT INTO `_m6_use` SELECT 'participant', v.participant_id, p.network_slug, v.created_at FROM proposal_votes v JOIN theme_proposals p ON p.id = v.proposal_id;--> statement-breakpoint
-- One row per record and network; the first user keeps the id, the others get a copy's new id.
CREATE TABLE `_m6_map` AS
  SELECT kind, id AS old_id, network_slug,
         CASE WHEN rank = 1 THEN id ELSE substr(id, 1, 4) || lower(hex(randomblob(11))) END AS new_id
  FROM (SELECT kind, id, network_slug, row_number() OVER (PARTITION BY kind, id ORDER BY min(at), network_slug) AS rank
        FROM `_m6_use` GROUP BY kind, id, network_slug);--> statement-breakpoint
CREATE UNIQUE INDEX `_m6_map_key` ON `_m6_map` (kind, old_id, network_slug);--> statement-breakpoint
-- The copies.
INSERT INTO venues (id, network_slug, name, street_address, postal_code, city, latitude, longitude, created_at, updated_at, version)
  SELECT mp.new_id, mp.network_slug, v.name, v.street_address, v.postal_code, v.city, v.latitude, v.longitude, v.created_at, v.updated_at, 1
  FROM `_m6_map` mp JOIN venues v ON v.id = mp.old_id WHERE mp.kind = 'venue' AND mp.new_id <> mp.old_id;--> statement-breakpoint
INSERT INTO speakers (id, network_slug, name, title, organisation, email, created_at, updated_at, version)
  SELECT mp.new_id, mp.network_slug, s.name, s.title, s.organisation, s.email, s.created_at, s.updated_at, 1
  FROM `_m6_map` mp JOIN speakers s ON s.id = mp.old_id WHERE mp.kind = 'speaker' AND mp.new_id <> mp.old_id;--> statement-breakpoint
INSERT INTO participants (id, network_slug, name, email, role, municipality_code, feed_token_hash, created_at, updated_at, version)
  SELECT mp.new_id, mp.network_slug, p.name, p.email, p.role, p.municipality_code, p.feed_token_hash, p.created_at, p.updated_at, 1
  FROM `_m6_map` mp JOIN participants p ON p.id = mp.old_id WHERE mp.kind = 'participant' AND mp.new_id <> mp.old_id;--> statement-breakpoint
-- The originals go to the network that keeps them.
UPDATE venues SET network_slug = (SELECT network_slug FROM `_m6_map` WHERE kind = 'venue' AND old_id = venues.id AND new_id = venues.id)
  WHERE network_slug IS NULL;--> statement-breakpoint
UPDATE speakers SET network_slug = (SELECT network_slug FROM `_m6_map` WHERE kind = 'speaker' AND old_id = speakers.id AND new_id = speakers.id)
  WHERE network_slug IS NULL;--> statement-breakpoint
UPDATE participants SET network_slug = (SELECT network_slug FROM `_m6_map` WHERE kind = 'participant' AND old_id = participants.id AND new_id = participants.id)
  WHERE network_slug IS NULL;--> statement-breakpoint
-- Everything that points at a record from another network now points at that network's copy.
UPDATE networks SET default_venue_id = (SELECT new_id FROM `_m6_map` WHERE kind = 'venue' AND old_id = networks.default_venue_id AND network_slug = networks.slug),
    version = version + 1
  WHERE EXISTS (SELECT 1 FROM `_m6_map` WHERE kind = 'venue' AND old_id = networks.default_venue_id AND network_slug = networks.slug AND new_id <> old_id);--> statement-breakpoint
UPDATE meetings SET venue_id = (SELECT new_id FROM `_m6_map` WHERE kind = 'venue' AND old_id = meetings.venue_id AND network_slug = meetings.network_slug),
    version = version + 1
  WHERE EXISTS (SELECT 1 FROM `_m6_map` WHERE kind = 'venue' AND old_id = meetings.venue_id AND network_slug = meetings.network_slug AND new_id <> old_id);--> statement-breakpoint
UPDATE item_speakers SET speaker_id = (
    SELECT mp.new_id FROM `_m6_map` mp JOIN agenda_items i ON i.id = item_speakers.item_id JOIN meetings m ON m.id = i.meeting_id
    WHERE mp.kind = 'speaker' AND mp.old_id = item_speakers.speaker_id AND mp.network_slug = m.network_slug)
  WHERE EXISTS (
    SELECT 1 FROM `_m6_map` mp JOIN agenda_items i ON i.id = item_speakers.item_id JOIN meetings m ON m.id = i.meeting_id
    WHERE mp.kind = 'speaker' AND mp.old_id = item_speakers.speaker_id AND mp.network_slug = m.network_slug AND mp.new_id <> mp.old_id);--> statement-breakpoint
UPDATE registrations SET participant_id = (
    SELECT mp.new_id FROM `_m6_map` mp JOIN meetings m ON m.network_slug = mp.network_slug
    WHERE mp.kind = 'participant' AND mp.old_id = registrations.participant_id AND m.id = registrations.meeting_id),
    version = version + 1
  WHERE EXISTS (
    SELECT 1 FROM `_m6_map` mp JOIN meetings m ON m.network_slug = mp.network_slug
    WHERE mp.kind = 'participant' AND mp.old_id = registrations.participant_id AND m.id = registrations.meeting_id AND mp.new_id <> mp.old_id);--> statement-breakpoint
UPDATE proposal_votes SET participant_id = (
    SELECT mp.new_id FROM `_m6_map` mp JOIN theme_proposals p ON p.network_slug = mp.network_slug
    WHERE mp.kind = 'participant' AND mp.old_id = proposal_votes.participant_id AND p.id = proposal_votes.proposal_id)
  WHERE EXISTS (
    SELECT 1 FROM `_m6_map` mp JOIN theme_proposals p ON p.network_slug = mp.network_slug
    WHERE mp.kind = 'participant' AND mp.old_id = proposal_votes.participant_id AND p.id = proposal_votes.proposal_id AND mp.new_id <> mp.old_id);--> statement-breakpoint
UPDATE theme_proposals SET participant_id = (
    SELECT new_id FROM `_m6_map` WHERE kind = 'participant' AND old_id = theme_proposals.participant_id AND network_slug = theme_proposals.network_slug),
    version = version + 1
  WHERE EXISTS (
    SELECT 1 FROM `_m6_map` WHERE kind = 'participant' AND old_id = theme_proposals.participant_id AND network_slug = theme_proposals.network_slug AND new_id <> old_id);--> statement-breakpoint
-- Release snapshots name venues and speakers by id: a released agenda of a network that got copies names
-- the copies, so the next release's changelog does not report a change nobody made.
CREATE TABLE `_m6_release_subs` AS
  SELECT r.id AS release_id, mp.old_id, mp.new_id, row_number() OVER (PARTITION BY r.id ORDER BY mp.old_id) AS n
  FROM releases r JOIN meetings m ON m.id = r.meeting_id
  JOIN `_m6_map` mp ON mp.network_slug = m.network_slug AND mp.kind IN ('venue', 'speaker') AND mp.new_id <> mp.old_id
  WHERE instr(r.snapshot, '"' || mp.old_id || '"') > 0;--> statement-breakpoint
UPDATE releases SET snapshot = (
    WITH RECURSIVE fold(n, s) AS (
      SELECT 0, releases.snapshot
      UNION ALL
      SELECT fold.n + 1, replace(fold.s, '"' || x.old_id || '"', '"' || x.new_id || '"')
      FROM fold JOIN `_m6_release_subs` x ON x.release_id = releases.id AND x.n = fold.n + 1)
    SELECT s FROM fold ORDER BY n DESC LIMIT 1)
  WHERE id IN (SELECT release_id FROM `_m6_release_subs`);--> statement-breakpoint
-- Records nobody uses: the network of the token that created them, when that token had exactly one.
UPDATE venues SET network_slug = (
    SELECT min(tn.network_slug) FROM audit_log a JOIN token_networks tn ON tn.token_id = a.token_id
    WHERE a.entity = 'venue' AND a.action = 'create' AND a.entity_id = venues.id HAVING count(DISTINCT tn.network_slug) = 1)
  WHERE network_slug IS NULL;--> statement-breakpoint
UPDATE speakers SET network_slug = (
    SELECT min(tn.network_slug) FROM audit_log a JOIN token_networks tn ON tn.token_id = a.token_id
    WHERE a.entity = 'speaker' AND a.action = 'create' AND a.entity_id = speakers.id HAVING count(DISTINCT tn.network_slug) = 1)
  WHERE network_slug IS NULL;--> statement-breakpoint
UPDATE participants SET network_slug = (
    SELECT min(tn.network_slug) FROM audit_log a JOIN token_networks tn ON tn.token_id = a.token_id
    WHERE a.entity = 'participant' AND a.action = 'create' AND a.entity_id = participants.id HAVING count(DISTINCT tn.network_slug) = 1)
  WHERE network_slug IS NULL;--> statement-breakpoint
DROP TABLE `_m6_release_subs`;--> statement-breakpoint
DROP TABLE `_m6_map`;--> statement-breakpoint
DROP TABLE `_m6_use`;
