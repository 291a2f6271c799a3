-- 015_functions.sql
-- Shared trigger function: every table with an updated_at column gets a
-- BEFORE UPDATE trigger that calls this one function (see each table file).

CREATE OR REPLACE FUNCTION update_updated_at_column()
RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
    NEW.updated_at = now();
    RETURN NEW;
END;
$$;

COMMENT ON FUNCTION update_updated_at_column() IS
    'BEFORE UPDATE row trigger: stamps NEW.updated_at with the transaction timestamp so the application cannot forget to.';
