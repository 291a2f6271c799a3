-- Every object kind the model knows beyond tables, views, enums, domains,
-- sequences and functions (issue 22): table inheritance, rules, composite and
-- range types, operators, collations, text-search dictionaries and
-- configurations, casts, storage parameters, view options, triggers on views
-- and privileges. Written for the round trip (tests/test_roundtrip.py) and the
-- diff of each kind (tests/test_kinds.py); not an example of good design.

CREATE SCHEMA app;
COMMENT ON SCHEMA app IS 'objects outside public';

CREATE COLLATION app.my_c FROM "C";
COMMENT ON COLLATION app.my_c IS 'byte order';

CREATE TEXT SEARCH DICTIONARY app.english_stem (TEMPLATE = snowball, language = english);
CREATE TEXT SEARCH CONFIGURATION my_simple (COPY = pg_catalog.simple);
ALTER TEXT SEARCH CONFIGURATION my_simple
    ALTER MAPPING FOR asciiword WITH app.english_stem, simple;
COMMENT ON TEXT SEARCH CONFIGURATION my_simple IS 'simple, stemmed ASCII words';

CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
CREATE TYPE address AS (street text, city text COLLATE app.my_c, zip varchar(10));
COMMENT ON TYPE address IS 'a postal address';
COMMENT ON COLUMN address.zip IS 'postal code';
CREATE TYPE floatrange AS RANGE (SUBTYPE = float8, SUBTYPE_DIFF = float8mi);

CREATE FUNCTION approx_eq(a numeric, b numeric) RETURNS boolean
    LANGUAGE sql IMMUTABLE AS $$ SELECT round(a, 2) = round(b, 2) $$;
CREATE OPERATOR === (
    FUNCTION = approx_eq, LEFTARG = numeric, RIGHTARG = numeric,
    COMMUTATOR = ===, RESTRICT = eqsel, JOIN = eqjoinsel
);
COMMENT ON OPERATOR === (numeric, numeric) IS 'equal to the cent';

CREATE FUNCTION address_text(address) RETURNS text
    LANGUAGE sql IMMUTABLE AS $$ SELECT $1.street || ', ' || $1.city $$;
CREATE CAST (address AS text) WITH FUNCTION address_text(address) AS ASSIGNMENT;

CREATE TABLE vehicle (
    id integer PRIMARY KEY,
    wheels integer NOT NULL DEFAULT 4,
    home address,
    price floatrange,
    feeling mood
) WITH (fillfactor = 80, autovacuum_enabled = false, toast.autovacuum_enabled = false);
CREATE INDEX vehicle_wheels ON vehicle (wheels) WITH (fillfactor = 70);

CREATE TABLE car (
    doors integer DEFAULT 4 CONSTRAINT car_doors_check CHECK (doors > 0)
) INHERITS (vehicle);
ALTER TABLE car ALTER COLUMN wheels SET DEFAULT 3;

CREATE TABLE note (
    id integer PRIMARY KEY,
    body text,
    search tsvector GENERATED ALWAYS AS (to_tsvector('my_simple'::regconfig, COALESCE(body, ''))) STORED
);
CREATE TABLE note_log (id serial PRIMARY KEY, note_id integer, body text);
CREATE RULE note_log_insert AS ON INSERT TO note
    DO ALSO INSERT INTO note_log (note_id, body) VALUES (NEW.id, NEW.body);
COMMENT ON RULE note_log_insert ON note IS 'keeps a copy of every note';

CREATE VIEW cars_only WITH (security_barrier = true) AS
    SELECT id, wheels, doors FROM car WHERE doors > 2
    WITH CASCADED CHECK OPTION;
CREATE VIEW vehicle_invoker WITH (security_invoker = true) AS
    SELECT id, wheels FROM vehicle
    WITH LOCAL CHECK OPTION;

CREATE VIEW wheel_counts AS SELECT wheels, count(*) AS n FROM vehicle GROUP BY wheels;
CREATE FUNCTION wheel_counts_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO vehicle (id, wheels) VALUES (NEW.n, NEW.wheels);
    RETURN NEW;
END
$$;
CREATE TRIGGER wheel_counts_insert INSTEAD OF INSERT ON wheel_counts
    FOR EACH ROW EXECUTE FUNCTION wheel_counts_insert();
CREATE RULE wheel_counts_delete AS ON DELETE TO wheel_counts
    DO INSTEAD DELETE FROM vehicle WHERE wheels = OLD.wheels;

DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'all_kinds_reader') THEN
        CREATE ROLE all_kinds_reader NOLOGIN;
    END IF;
END
$$;
GRANT USAGE ON SCHEMA app TO all_kinds_reader;
GRANT SELECT ON vehicle, cars_only TO all_kinds_reader;
GRANT SELECT (id, body), UPDATE (body) ON note TO all_kinds_reader;
GRANT USAGE ON SEQUENCE note_log_id_seq TO all_kinds_reader WITH GRANT OPTION;
REVOKE EXECUTE ON FUNCTION approx_eq(numeric, numeric) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION approx_eq(numeric, numeric) TO all_kinds_reader;
GRANT USAGE ON TYPE mood TO all_kinds_reader;
