-- The id of the module's own object behind a case (a permit application, a booking), given to
-- open_case by the module that opens it, so every case answer carries where the module keeps it
-- (cases/module_objects.py). Null for cases opened before, and for modules whose object is the
-- case itself: the case id stands in, and the modules' routes accept it.
ALTER TABLE cases ADD COLUMN object_id uuid;
