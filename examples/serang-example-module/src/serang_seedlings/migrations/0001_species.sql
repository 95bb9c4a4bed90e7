-- Runs with search_path set to this module's schema (seedlings), so the table lands there.
CREATE TABLE species (
    code text PRIMARY KEY,
    name text NOT NULL,
    stock integer NOT NULL CHECK (stock >= 0)
);

INSERT INTO species (code, name, stock) VALUES
    ('mahoni', 'Mahoni', 1200),
    ('trembesi', 'Trembesi', 300),
    ('mangga', 'Mangga', 450);
