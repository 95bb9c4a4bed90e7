-- The test module's own detail table, keyed by the core's case id.
CREATE TABLE lamps.requests (
    case_id uuid PRIMARY KEY REFERENCES public.cases (id),
    pole_number text NOT NULL
);
