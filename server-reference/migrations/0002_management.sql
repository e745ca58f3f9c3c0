-- The management records of SPEC §2.3 (tenants' components, flows and OAuth-client
-- records, Hub services, Segment apps and sources) as one JSON document, replaced
-- whole by each change. Management data is small and changes rarely; one row keeps
-- every change atomic without a table per record kind. Tenant OAuth-client secrets
-- are third-party credentials the platform must present later, so they are stored
-- as given (see server-reference/src/management/mod.rs); service secrets and
-- Segment keys are not in it (hashed client secrets and public keys live in
-- `clients`).
CREATE TABLE management_records (
    id       INTEGER PRIMARY KEY NOT NULL CHECK (id = 1),
    document TEXT NOT NULL
) STRICT;
