-- The 98 municipalities of Denmark (code, name, region); see db/municipalities.ts.
INSERT INTO municipalities (code, name, region) VALUES
(101, 'København', 'Region Hovedstaden'),
(147, 'Frederiksberg', 'Region Hovedstaden'),
(151, 'Ballerup', 'Region Hovedstaden'),
(153, 'Brøndby', 'Region Hovedstaden'),
(155, 'Dragør', 'Region Hovedstaden'),
(157, 'Gentofte', 'Region Hovedstaden'),
(159, 'Gladsaxe', 'Region Hovedstaden'),
(161, 'Glostrup', 'Region Hovedstaden'),
(163, 'Herlev', 'Region Hovedstaden'),
(165, 'Albertslund', 'Region Hovedstaden'),
(167, 'Hvidovre', 'Region Hovedstaden'),
(169, 'Høje-Taastrup', 'Region Hovedstaden'),
(173, 'Lyngby-Taarbæk', 'Region Hovedstaden'),
(175, 'Rødovre', 'Region Hovedstaden'),
(183, 'Ishøj', 'Region Hovedstaden'),
(185, 'Tårnby', 'Region Hovedstaden'),
(187, 'Vallensbæk', 'Region Hovedstaden'),
(190, 'Furesø', 'Region Hovedstaden'),
(201, 'Allerød', 'Region Hovedstaden'),
(210, 'Fredensborg', 'Region Hovedstaden'),
(217, 'Helsingør', 'Region Hovedstaden'),
(219, 'Hillerød', 'Region Hovedstaden'),
(223, 'Hørsholm', 'Region Hovedstaden'),
(230, 'Rudersdal', 'Region Hovedstaden'),
(240, 'Egedal', 'Region Hovedstaden'),
(250, 'Frederikssund', 'Region Hovedstaden'),
(260, 'Gribskov', 'Region Hovedstaden'),
(270, 'Halsnæs', 'Region Hovedstaden'),
(400, 'Bornholm', 'Region Hovedstaden'),
(253, 'Greve', 'Region Sjælland'),
(259, 'Køge', 'Region Sjælland'),
(265, 'Roskilde', 'Region Sjælland'),
(269, 'Solrød', 'Region Sjælland'),
(306, 'Odsherred', 'Region Sjælland'),
(316, 'Holbæk', 'Region Sjælland'),
(320, 'Faxe', 'Region Sjælland'),
(326, 'Kalundborg', 'Region Sjælland'),
(329, 'Ringsted', 'Region Sjælland'),
(330, 'Slagelse', 'Region Sjælland'),
(336, 'Stevns', 'Region Sjælland'),
(340, 'Sorø', 'Region Sjælland'),
(350, 'Lejre', 'Region Sjælland'),
(360, 'Lolland', 'Region Sjælland'),
(370, 'Næstved', 'Region Sjælland'),
(376, 'Guldborgsund', 'Region Sjælland'),
(390, 'Vordingborg', 'Region Sjælland'),
(410, 'Middelfart', 'Region Syddanmark'),
(420, 'Assens', 'Region Syddanmark'),
(430, 'Faaborg-Midtfyn', 'Region Syddanmark'),
(440, 'Kerteminde', 'Region Syddanmark'),
(450, 'Nyborg', 'Region Syddanmark'),
(461, 'Odense', 'Region Syddanmark'),
(479, 'Svendborg', 'Region Syddanmark'),
(480, 'Nordfyns', 'Region Syddanmark'),
(482, 'Langeland', 'Region Syddanmark'),
(492, 'Ærø', 'Region Syddanmark'),
(510, 'Haderslev', 'Region Syddanmark'),
(530, 'Billund', 'Region Syddanmark'),
(540, 'Sønderborg', 'Region Syddanmark'),
(550, 'Tønder', 'Region Syddanmark'),
(561, 'Esbjerg', 'Region Syddanmark'),
(563, 'Fanø', 'Region Syddanmark'),
(573, 'Varde', 'Region Syddanmark'),
(575, 'Vejen', 'Region Syddanmark'),
(580, 'Aabenraa', 'Region Syddanmark'),
(607, 'Fredericia', 'Region Syddanmark'),
(621, 'Kolding', 'Region Syddanmark'),
(630, 'Vejle', 'Region Syddanmark'),
(615, 'Horsens', 'Region Midtjylland'),
(657, 'Herning', 'Region Midtjylland'),
(661, 'Holstebro', 'Region Midtjylland'),
(665, 'Lemvig', 'Region Midtjylland'),
(671, 'Struer', 'Region Midtjylland'),
(706, 'Syddjurs', 'Region Midtjylland'),
(707, 'Norddjurs', 'Region Midtjylland'),
(710, 'Favrskov', 'Region Midtjylland'),
(727, 'Odder', 'Region Midtjylland'),
(730, 'Randers', 'Region Midtjylland'),
(740, 'Silkeborg', 'Region Midtjylland'),
(741, 'Samsø', 'Region Midtjylland'),
(746, 'Skanderborg', 'Region Midtjylland'),
(751, 'Aarhus', 'Region Midtjylland'),
(756, 'Ikast-Brande', 'Region Midtjylland'),
(760, 'Ringkøbing-Skjern', 'Region Midtjylland'),
(766, 'Hedensted', 'Region Midtjylland'),
(779, 'Skive', 'Region Midtjylland'),
(791, 'Viborg', 'Region Midtjylland'),
(773, 'Morsø', 'Region Nordjylland'),
(787, 'Thisted', 'Region Nordjylland'),
(810, 'Brønderslev', 'Region Nordjylland'),
(813, 'Frederikshavn', 'Region Nordjylland'),
(820, 'Vesthimmerlands', 'Region Nordjylland'),
(825, 'Læsø', 'Region Nordjylland'),
(840, 'Rebild', 'Region Nordjylland'),
(846, 'Mariagerfjord', 'Region Nordjylland'),
(849, 'Jammerbugt', 'Region Nordjylland'),
(851, 'Aalborg', 'Region Nordjylland'),
(860, 'Hjørring', 'Region Nordjylland');
--> statement-breakpoint
CREATE TRIGGER audit_clusters_insert AFTER INSERT ON clusters BEGIN INSERT INTO audit_log (at, actor, token_id, action, entity, entity_id, network_slug, before, after) VALUES (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), audit_actor(), audit_token_id(), 'create', 'cluster', NEW.id, NEW.network_slug, NULL, json_object('id', NEW.id, 'network_slug', NEW.network_slug, 'name', NEW.name, 'created_at', NEW.created_at, 'updated_at', NEW.updated_at, 'version', NEW.version)); END;
--> statement-breakpoint
CREATE TRIGGER audit_clusters_update AFTER UPDATE ON clusters WHEN json_object('id', OLD.id, 'network_slug', OLD.network_slug, 'name', OLD.name, 'created_at', OLD.created_at, 'updated_at', OLD.updated_at, 'version', OLD.version) IS NOT json_object('id', NEW.id, 'network_slug', NEW.network_slug, 'name', NEW.name, 'created_at', NEW.created_at, 'updated_at', NEW.updated_at, 'version', NEW.version) BEGIN INSERT INTO audit_log (at, actor, token_id, action, entity, entity_id, network_slug, before, after) VALUES (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), audit_actor(), audit_token_id(), 'update', 'cluster', NEW.id, NEW.network_slug, json_object('id', OLD.id, 'network_slug', OLD.network_slug, 'name', OLD.name, 'created_at', OLD.created_at, 'updated_at', OLD.updated_at, 'version', OLD.version), json_object('id', NEW.id, 'network_slug', NEW.network_slug, 'name', NEW.name, 'created_at', NEW.created_at, 'updated_at', NEW.updated_at, 'version', NEW.version)); END;
--> statement-breakpoint
CREATE TRIGGER audit_clusters_delete AFTER DELETE ON clusters BEGIN INSERT INTO audit_log (at, actor, token_id, action, entity, entity_id, network_slug, before, after) VALUES (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), audit_actor(), audit_token_id(), 'delete', 'cluster', OLD.id, OLD.network_slug, json_object('id', OLD.id, 'network_slug', OLD.network_slug, 'name', OLD.name, 'created_at', OLD.created_at, 'updated_at', OLD.updated_at, 'version', OLD.version), NULL); END;
--> statement-breakpoint
CREATE TRIGGER audit_members_insert AFTER INSERT ON members BEGIN INSERT INTO audit_log (at, actor, token_id, action, entity, entity_id, network_slug, before, after) VALUES (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), audit_actor(), audit_token_id(), 'create', 'member', NEW.id, NEW.network_slug, NULL, json_object('id', NEW.id, 'network_slug', NEW.network_slug, 'municipality_code', NEW.municipality_code, 'status', NEW.status, 'cluster_id', NEW.cluster_id, 'signed_up_at', NEW.signed_up_at, 'withdrawn_at', NEW.withdrawn_at, 'created_at', NEW.created_at, 'updated_at', NEW.updated_at, 'version', NEW.version)); END;
--> statement-breakpoint
CREATE TRIGGER audit_members_update AFTER UPDATE ON members WHEN json_object('id', OLD.id, 'network_slug', OLD.network_slug, 'municipality_code', OLD.municipality_code, 'status', OLD.status, 'cluster_id', OLD.cluster_id, 'signed_up_at', OLD.signed_up_at, 'withdrawn_at', OLD.withdrawn_at, 'created_at', OLD.created_at, 'updated_at', OLD.updated_at, 'version', OLD.version) IS NOT json_object('id', NEW.id, 'network_slug', NEW.network_slug, 'municipality_code', NEW.municipality_code, 'status', NEW.status, 'cluster_id', NEW.cluster_id, 'signed_up_at', NEW.signed_up_at, 'withdrawn_at', NEW.withdrawn_at, 'created_at', NEW.created_at, 'updated_at', NEW.updated_at, 'version', NEW.version) BEGIN INSERT INTO audit_log (at, actor, token_id, action, entity, entity_id, network_slug, before, after) VALUES (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), audit_actor(), audit_token_id(), 'update', 'member', NEW.id, NEW.network_slug, json_object('id', OLD.id, 'network_slug', OLD.network_slug, 'municipality_code', OLD.municipality_code, 'status', OLD.status, 'cluster_id', OLD.cluster_id, 'signed_up_at', OLD.signed_up_at, 'withdrawn_at', OLD.withdrawn_at, 'created_at', OLD.created_at, 'updated_at', OLD.updated_at, 'version', OLD.version), json_object('id', NEW.id, 'network_slug', NEW.network_slug, 'municipality_code', NEW.municipality_code, 'status', NEW.status, 'cluster_id', NEW.cluster_id, 'signed_up_at', NEW.signed_up_at, 'withdrawn_at', NEW.withdrawn_at, 'created_at', NEW.created_at, 'updated_at', NEW.updated_at, 'version', NEW.version)); END;
--> statement-breakpoint
CREATE TRIGGER audit_members_delete AFTER DELETE ON members BEGIN INSERT INTO audit_log (at, actor, token_id, action, entity, entity_id, network_slug, before, after) VALUES (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), audit_actor(), audit_token_id(), 'delete', 'member', OLD.id, OLD.network_slug, json_object('id', OLD.id, 'network_slug', OLD.network_slug, 'municipality_code', OLD.municipality_code, 'status', OLD.status, 'cluster_id', OLD.cluster_id, 'signed_up_at', OLD.signed_up_at, 'withdrawn_at', OLD.withdrawn_at, 'created_at', OLD.created_at, 'updated_at', OLD.updated_at, 'version', OLD.version), NULL); END;
--> statement-breakpoint
CREATE TRIGGER audit_participants_insert AFTER INSERT ON participants BEGIN INSERT INTO audit_log (at, actor, token_id, action, entity, entity_id, network_slug, before, after) VALUES (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), audit_actor(), audit_token_id(), 'create', 'participant', NEW.id, NULL, NULL, json_object('id', NEW.id, 'municipality_code', NEW.municipality_code, 'created_at', NEW.created_at, 'updated_at', NEW.updated_at, 'version', NEW.version)); END;
--> statement-breakpoint
CREATE TRIGGER audit_participants_update AFTER UPDATE ON participants WHEN json_object('id', OLD.id, 'municipality_code', OLD.municipality_code, 'created_at', OLD.created_at, 'updated_at', OLD.updated_at, 'version', OLD.version) IS NOT json_object('id', NEW.id, 'municipality_code', NEW.municipality_code, 'created_at', NEW.created_at, 'updated_at', NEW.updated_at, 'version', NEW.version) BEGIN INSERT INTO audit_log (at, actor, token_id, action, entity, entity_id, network_slug, before, after) VALUES (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), audit_actor(), audit_token_id(), 'update', 'participant', NEW.id, NULL, json_object('id', OLD.id, 'municipality_code', OLD.municipality_code, 'created_at', OLD.created_at, 'updated_at', OLD.updated_at, 'version', OLD.version), json_object('id', NEW.id, 'municipality_code', NEW.municipality_code, 'created_at', NEW.created_at, 'updated_at', NEW.updated_at, 'version', NEW.version)); END;
--> statement-breakpoint
CREATE TRIGGER audit_participants_delete AFTER DELETE ON participants BEGIN INSERT INTO audit_log (at, actor, token_id, action, entity, entity_id, network_slug, before, after) VALUES (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), audit_actor(), audit_token_id(), 'delete', 'participant', OLD.id, NULL, json_object('id', OLD.id, 'municipality_code', OLD.municipality_code, 'created_at', OLD.created_at, 'updated_at', OLD.updated_at, 'version', OLD.version), NULL); END;
--> statement-breakpoint
CREATE TRIGGER audit_registrations_insert AFTER INSERT ON registrations BEGIN INSERT INTO audit_log (at, actor, token_id, action, entity, entity_id, network_slug, before, after) VALUES (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), audit_actor(), audit_token_id(), 'create', 'registration', NEW.id, (SELECT network_slug FROM meetings WHERE id = NEW.meeting_id), NULL, json_object('id', NEW.id, 'meeting_id', NEW.meeting_id, 'participant_id', NEW.participant_id, 'track_id', NEW.track_id, 'status', NEW.status, 'queued_at', NEW.queued_at, 'created_at', NEW.created_at, 'updated_at', NEW.updated_at, 'version', NEW.version)); END;
--> statement-breakpoint
CREATE TRIGGER audit_registrations_update AFTER UPDATE ON registrations WHEN json_object('id', OLD.id, 'meeting_id', OLD.meeting_id, 'participant_id', OLD.participant_id, 'track_id', OLD.track_id, 'status', OLD.status, 'queued_at', OLD.queued_at, 'created_at', OLD.created_at, 'updated_at', OLD.updated_at, 'version', OLD.version) IS NOT json_object('id', NEW.id, 'meeting_id', NEW.meeting_id, 'participant_id', NEW.participant_id, 'track_id', NEW.track_id, 'status', NEW.status, 'queued_at', NEW.queued_at, 'created_at', NEW.created_at, 'updated_at', NEW.updated_at, 'version', NEW.version) BEGIN INSERT INTO audit_log (at, actor, token_id, action, entity, entity_id, network_slug, before, after) VALUES (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), audit_actor(), audit_token_id(), 'update', 'registration', NEW.id, (SELECT network_slug FROM meetings WHERE id = NEW.meeting_id), json_object('id', OLD.id, 'meeting_id', OLD.meeting_id, 'participant_id', OLD.participant_id, 'track_id', OLD.track_id, 'status', OLD.status, 'queued_at', OLD.queued_at, 'created_at', OLD.created_at, 'updated_at', OLD.updated_at, 'version', OLD.version), json_object('id', NEW.id, 'meeting_id', NEW.meeting_id, 'participant_id', NEW.participant_id, 'track_id', NEW.track_id, 'status', NEW.status, 'queued_at', NEW.queued_at, 'created_at', NEW.created_at, 'updated_at', NEW.updated_at, 'version', NEW.version)); END;
--> statement-breakpoint
CREATE TRIGGER audit_registrations_delete AFTER DELETE ON registrations BEGIN INSERT INTO audit_log (at, actor, token_id, action, entity, entity_id, network_slug, before, after) VALUES (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), audit_actor(), audit_token_id(), 'delete', 'registration', OLD.id, (SELECT network_slug FROM meetings WHERE id = OLD.meeting_id), json_object('id', OLD.id, 'meeting_id', OLD.meeting_id, 'participant_id', OLD.participant_id, 'track_id', OLD.track_id, 'status', OLD.status, 'queued_at', OLD.queued_at, 'created_at', OLD.created_at, 'updated_at', OLD.updated_at, 'version', OLD.version), NULL); END;
--> statement-breakpoint
CREATE TRIGGER audit_theme_proposals_insert AFTER INSERT ON theme_proposals BEGIN INSERT INTO audit_log (at, actor, token_id, action, entity, entity_id, network_slug, before, after) VALUES (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), audit_actor(), audit_token_id(), 'create', 'proposal', NEW.id, NEW.network_slug, NULL, json_object('id', NEW.id, 'network_slug', NEW.network_slug, 'meeting_id', NEW.meeting_id, 'participant_id', NEW.participant_id, 'title', NEW.title, 'description', NEW.description, 'status', NEW.status, 'theme_id', NEW.theme_id, 'item_id', NEW.item_id, 'decision_note', NEW.decision_note, 'decided_at', NEW.decided_at, 'created_at', NEW.created_at, 'updated_at', NEW.updated_at, 'version', NEW.version)); END;
--> statement-breakpoint
CREATE TRIGGER audit_theme_proposals_update AFTER UPDATE ON theme_proposals WHEN json_object('id', OLD.id, 'network_slug', OLD.network_slug, 'meeting_id', OLD.meeting_id, 'participant_id', OLD.participant_id, 'title', OLD.title, 'description', OLD.description, 'status', OLD.status, 'theme_id', OLD.theme_id, 'item_id', OLD.item_id, 'decision_note', OLD.decision_note, 'decided_at', OLD.decided_at, 'created_at', OLD.created_at, 'updated_at', OLD.updated_at, 'version', OLD.version) IS NOT json_object('id', NEW.id, 'network_slug', NEW.network_slug, 'meeting_id', NEW.meeting_id, 'participant_id', NEW.participant_id, 'title', NEW.title, 'description', NEW.description, 'status', NEW.status, 'theme_id', NEW.theme_id, 'item_id', NEW.item_id, 'decision_note', NEW.decision_note, 'decided_at', NEW.decided_at, 'created_at', NEW.created_at, 'updated_at', NEW.updated_at, 'version', NEW.version) BEGIN INSERT INTO audit_log (at, actor, token_id, action, entity, entity_id, network_slug, before, after) VALUES (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), audit_actor(), audit_token_id(), 'update', 'proposal', NEW.id, NEW.network_slug, json_object('id', OLD.id, 'network_slug', OLD.network_slug, 'meeting_id', OLD.meeting_id, 'participant_id', OLD.participant_id, 'title', OLD.title, 'description', OLD.description, 'status', OLD.status, 'theme_id', OLD.theme_id, 'item_id', OLD.item_id, 'decision_note', OLD.decision_note, 'decided_at', OLD.decided_at, 'created_at', OLD.created_at, 'updated_at', OLD.updated_at, 'version', OLD.version), json_object('id', NEW.id, 'network_slug', NEW.network_slug, 'meeting_id', NEW.meeting_id, 'participant_id', NEW.participant_id, 'title', NEW.title, 'description', NEW.description, 'status', NEW.status, 'theme_id', NEW.theme_id, 'item_id', NEW.item_id, 'decision_note', NEW.decision_note, 'decided_at', NEW.decided_at, 'created_at', NEW.created_at, 'updated_at', NEW.updated_at, 'version', NEW.version)); END;
--> statement-breakpoint
CREATE TRIGGER audit_theme_proposals_delete AFTER DELETE ON theme_proposals BEGIN INSERT INTO audit_log (at, actor, token_id, action, entity, entity_id, network_slug, before, after) VALUES (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), audit_actor(), audit_token_id(), 'delete', 'proposal', OLD.id, OLD.network_slug, json_object('id', OLD.id, 'network_slug', OLD.network_slug, 'meeting_id', OLD.meeting_id, 'participant_id', OLD.participant_id, 'title', OLD.title, 'description', OLD.description, 'status', OLD.status, 'theme_id', OLD.theme_id, 'item_id', OLD.item_id, 'decision_note', OLD.decision_note, 'decided_at', OLD.decided_at, 'created_at', OLD.created_at, 'updated_at', OLD.updated_at, 'version', OLD.version), NULL); END;
--> statement-breakpoint
CREATE TRIGGER audit_proposal_votes_insert AFTER INSERT ON proposal_votes BEGIN INSERT INTO audit_log (at, actor, token_id, action, entity, entity_id, network_slug, before, after) VALUES (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), audit_actor(), audit_token_id(), 'create', 'vote', NEW.proposal_id || '/' || NEW.participant_id, (SELECT network_slug FROM theme_proposals WHERE id = NEW.proposal_id), NULL, json_object('proposal_id', NEW.proposal_id, 'participant_id', NEW.participant_id, 'created_at', NEW.created_at)); END;
--> statement-breakpoint
CREATE TRIGGER audit_proposal_votes_update AFTER UPDATE ON proposal_votes WHEN json_object('proposal_id', OLD.proposal_id, 'participant_id', OLD.participant_id, 'created_at', OLD.created_at) IS NOT json_object('proposal_id', NEW.proposal_id, 'participant_id', NEW.participant_id, 'created_at', NEW.created_at) BEGIN INSERT INTO audit_log (at, actor, token_id, action, entity, entity_id, network_slug, before, after) VALUES (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), audit_actor(), audit_token_id(), 'update', 'vote', NEW.proposal_id || '/' || NEW.participant_id, (SELECT network_slug FROM theme_proposals WHERE id = NEW.proposal_id), json_object('proposal_id', OLD.proposal_id, 'participant_id', OLD.participant_id, 'created_at', OLD.created_at), json_object('proposal_id', NEW.proposal_id, 'participant_id', NEW.participant_id, 'created_at', NEW.created_at)); END;
--> statement-breakpoint
CREATE TRIGGER audit_proposal_votes_delete AFTER DELETE ON proposal_votes BEGIN INSERT INTO audit_log (at, actor, token_id, action, entity, entity_id, network_slug, before, after) VALUES (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), audit_actor(), audit_token_id(), 'delete', 'vote', OLD.proposal_id || '/' || OLD.participant_id, (SELECT network_slug FROM theme_proposals WHERE id = OLD.proposal_id), json_object('proposal_id', OLD.proposal_id, 'participant_id', OLD.participant_id, 'created_at', OLD.created_at), NULL); END;
