-- The roster's generation: a counter that every change to what the chat
-- path reads of a sender (the person, roles, departments in charge,
-- reachability, the account) moves on, whichever process makes it. The
-- store keeps the senders it has read in memory and checks only this
-- counter for each message instead of reading the sender again.
CREATE TABLE roster_generation (
	id INTEGER PRIMARY KEY CHECK (id = 1),
	n  INTEGER NOT NULL
);
INSERT INTO roster_generation (id, n) VALUES (1, 1);

CREATE TRIGGER departments_insert_generation AFTER INSERT ON departments BEGIN UPDATE roster_generation SET n = n + 1; END;
CREATE TRIGGER departments_update_generation AFTER UPDATE ON departments BEGIN UPDATE roster_generation SET n = n + 1; END;
CREATE TRIGGER departments_delete_generation AFTER DELETE ON departments BEGIN UPDATE roster_generation SET n = n + 1; END;
CREATE TRIGGER people_insert_generation AFTER INSERT ON people BEGIN UPDATE roster_generation SET n = n + 1; END;
CREATE TRIGGER people_update_generation AFTER UPDATE ON people BEGIN UPDATE roster_generation SET n = n + 1; END;
CREATE TRIGGER people_delete_generation AFTER DELETE ON people BEGIN UPDATE roster_generation SET n = n + 1; END;
CREATE TRIGGER person_roles_insert_generation AFTER INSERT ON person_roles BEGIN UPDATE roster_generation SET n = n + 1; END;
CREATE TRIGGER person_roles_update_generation AFTER UPDATE ON person_roles BEGIN UPDATE roster_generation SET n = n + 1; END;
CREATE TRIGGER person_roles_delete_generation AFTER DELETE ON person_roles BEGIN UPDATE roster_generation SET n = n + 1; END;
CREATE TRIGGER person_in_charge_insert_generation AFTER INSERT ON person_in_charge BEGIN UPDATE roster_generation SET n = n + 1; END;
CREATE TRIGGER person_in_charge_update_generation AFTER UPDATE ON person_in_charge BEGIN UPDATE roster_generation SET n = n + 1; END;
CREATE TRIGGER person_in_charge_delete_generation AFTER DELETE ON person_in_charge BEGIN UPDATE roster_generation SET n = n + 1; END;
CREATE TRIGGER person_unreachable_insert_generation AFTER INSERT ON person_unreachable BEGIN UPDATE roster_generation SET n = n + 1; END;
CREATE TRIGGER person_unreachable_update_generation AFTER UPDATE ON person_unreachable BEGIN UPDATE roster_generation SET n = n + 1; END;
CREATE TRIGGER person_unreachable_delete_generation AFTER DELETE ON person_unreachable BEGIN UPDATE roster_generation SET n = n + 1; END;
CREATE TRIGGER accounts_insert_generation AFTER INSERT ON accounts BEGIN UPDATE roster_generation SET n = n + 1; END;
CREATE TRIGGER accounts_update_generation AFTER UPDATE ON accounts BEGIN UPDATE roster_generation SET n = n + 1; END;
CREATE TRIGGER accounts_delete_generation AFTER DELETE ON accounts BEGIN UPDATE roster_generation SET n = n + 1; END;
