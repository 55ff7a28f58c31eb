-- The SHA-256 (hex) of each applied op's body, so an op id sent again with a different body is
-- refused instead of silently answered as already applied. Ops applied before this column
-- existed have none and are taken as the same op, as before.
ALTER TABLE ops ADD COLUMN op_digest TEXT;
