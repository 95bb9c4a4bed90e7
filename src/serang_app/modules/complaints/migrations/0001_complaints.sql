-- The complaints module (schema "complaints"): categories admins edit, and each complaint's
-- detail keyed by the core's case id.

CREATE TABLE categories (
    code text PRIMARY KEY CHECK (code ~ '^[a-z][a-z0-9_]{1,40}$'),
    title jsonb NOT NULL,        -- {"id": ..., "en": ...}
    description jsonb NOT NULL,
    opd_code text NOT NULL REFERENCES public.opds (code),
    sla_days integer NOT NULL CHECK (sla_days BETWEEN 1 AND 60),
    photo_required boolean NOT NULL DEFAULT false,
    public_by_default boolean NOT NULL DEFAULT true,
    -- Open311-style extra questions: [{"code", "datatype", "required", "description", "values"}].
    attributes jsonb NOT NULL DEFAULT '[]',
    is_active boolean NOT NULL DEFAULT true,
    sort_order integer NOT NULL DEFAULT 100,
    updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE reports (
    case_id uuid PRIMARY KEY REFERENCES public.cases (id),
    category_code text NOT NULL REFERENCES categories (code),
    description text NOT NULL,
    latitude double precision NOT NULL CHECK (latitude BETWEEN -90 AND 90),
    longitude double precision NOT NULL CHECK (longitude BETWEEN -180 AND 180),
    -- For nearby search: a GiST index answers "nearest first" (<->) and "inside this box" (<@)
    -- without PostGIS. x is the longitude, y the latitude.
    location point GENERATED ALWAYS AS (point(longitude, latitude)) STORED,
    village_code text REFERENCES public.regions (code),
    address text,
    is_anonymous boolean NOT NULL DEFAULT false,
    attributes jsonb NOT NULL DEFAULT '{}',
    -- Residents who said "me too" (they follow the case: public.case_followers).
    support_count integer NOT NULL DEFAULT 0 CHECK (support_count >= 0),
    merged_into uuid REFERENCES public.cases (id),
    -- Where it came from: the app, or an Open311 client.
    source text NOT NULL DEFAULT 'app' CHECK (source IN ('app', 'open311')),
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX reports_location_idx ON reports USING gist (location);
CREATE INDEX reports_created_idx ON reports (created_at DESC, case_id DESC);
CREATE INDEX reports_category_idx ON reports (category_code, created_at DESC);

-- Meters between two points on the Earth (haversine, mean radius): exact enough at a few km.
CREATE FUNCTION distance_m(lat1 double precision, lon1 double precision,
                           lat2 double precision, lon2 double precision)
RETURNS double precision LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT 2 * 6371008.8 * asin(sqrt(
        power(sin(radians(lat2 - lat1) / 2), 2)
        + cos(radians(lat1)) * cos(radians(lat2)) * power(sin(radians(lon2 - lon1) / 2), 2)
    ))
$$;

-- The regency's categories, owned by the agency that must act. Admins edit them afterwards.
INSERT INTO categories (code, title, description, opd_code, sla_days, photo_required, public_by_default, attributes, sort_order)
VALUES
('roads_bridges',
 '{"id": "Jalan dan jembatan", "en": "Roads and bridges"}',
 '{"id": "Jalan berlubang, rusak, jembatan retak atau putus.", "en": "Potholes, broken roads, damaged or collapsed bridges."}',
 'DPUPR', 10, true, true,
 '[{"code": "road_kind", "datatype": "singlevaluelist", "required": true,
    "description": {"id": "Jenis kerusakan", "en": "Kind of damage"},
    "values": [{"key": "pothole", "name": {"id": "Lubang", "en": "Pothole"}},
               {"key": "cracked", "name": {"id": "Retak", "en": "Cracked"}},
               {"key": "bridge", "name": {"id": "Jembatan rusak", "en": "Damaged bridge"}}]},
   {"code": "width_m", "datatype": "number", "required": false,
    "description": {"id": "Perkiraan lebar kerusakan (meter)", "en": "Rough width of the damage (metres)"}, "values": []}]',
 10),
('street_lights',
 '{"id": "Lampu penerangan jalan", "en": "Street lights"}',
 '{"id": "Lampu jalan umum (PJU) mati atau berkedip.", "en": "Public street lights out or flickering."}',
 'DISHUB', 5, false, true,
 '[{"code": "pole_number", "datatype": "string", "required": false,
    "description": {"id": "Nomor tiang, jika terlihat", "en": "Pole number, if visible"}, "values": []}]',
 20),
('drainage_flooding',
 '{"id": "Drainase dan banjir", "en": "Drainage and flooding"}',
 '{"id": "Saluran tersumbat, genangan, banjir.", "en": "Blocked drains, standing water, flooding."}',
 'DPUPR', 7, true, true,
 '[{"code": "water_depth", "datatype": "singlevaluelist", "required": false,
    "description": {"id": "Kedalaman air", "en": "Water depth"},
    "values": [{"key": "ankle", "name": {"id": "Semata kaki", "en": "Ankle-deep"}},
               {"key": "knee", "name": {"id": "Selutut", "en": "Knee-deep"}},
               {"key": "waist", "name": {"id": "Sepinggang atau lebih", "en": "Waist-deep or more"}}]},
   {"code": "since", "datatype": "datetime", "required": false,
    "description": {"id": "Sejak kapan", "en": "Since when"}, "values": []}]',
 30),
('rubbish',
 '{"id": "Sampah", "en": "Rubbish"}',
 '{"id": "Sampah tidak diangkut, tempat pembuangan liar.", "en": "Uncollected rubbish, illegal dumping."}',
 'DLH', 3, true, true,
 '[{"code": "waste_kinds", "datatype": "multivaluelist", "required": false,
    "description": {"id": "Jenis sampah", "en": "Kinds of waste"},
    "values": [{"key": "household", "name": {"id": "Rumah tangga", "en": "Household"}},
               {"key": "plastic", "name": {"id": "Plastik", "en": "Plastic"}},
               {"key": "construction", "name": {"id": "Puing bangunan", "en": "Construction debris"}},
               {"key": "hazardous", "name": {"id": "Berbahaya (B3)", "en": "Hazardous"}}]}]',
 40),
('public_order',
 '{"id": "Ketertiban umum", "en": "Public order"}',
 '{"id": "Gangguan ketertiban, bangunan liar, pedagang di trotoar.", "en": "Disturbances, illegal buildings, street trading on pavements."}',
 'SATPOLPP', 5, false, false, '[]', 50),
('social_assistance',
 '{"id": "Bantuan sosial", "en": "Social assistance"}',
 '{"id": "Bantuan sosial tidak tepat sasaran atau tidak diterima.", "en": "Social assistance missing or mistargeted."}',
 'DINSOS', 10, false, false,
 '[{"code": "programme", "datatype": "singlevaluelist", "required": false,
    "description": {"id": "Program bantuan", "en": "Assistance programme"},
    "values": [{"key": "pkh", "name": {"id": "PKH", "en": "PKH (family hope)"}},
               {"key": "bpnt", "name": {"id": "BPNT (sembako)", "en": "BPNT (food)"}},
               {"key": "other", "name": {"id": "Lainnya", "en": "Other"}}]}]',
 60),
('health_services',
 '{"id": "Layanan kesehatan", "en": "Health services"}',
 '{"id": "Layanan puskesmas atau posyandu.", "en": "Community health centre or posyandu services."}',
 'DINKES', 5, false, false,
 '[{"code": "facility", "datatype": "string", "required": false,
    "description": {"id": "Nama puskesmas atau fasilitas", "en": "Name of the health centre or facility"}, "values": []}]',
 70),
('schools',
 '{"id": "Sekolah", "en": "Schools"}',
 '{"id": "Gedung sekolah rusak, layanan pendidikan.", "en": "Damaged school buildings, education services."}',
 'DINDIKBUD', 10, false, true,
 '[{"code": "school_name", "datatype": "string", "required": true,
    "description": {"id": "Nama sekolah", "en": "Name of the school"}, "values": []}]',
 80),
('population_documents',
 '{"id": "Dokumen kependudukan", "en": "Population documents"}',
 '{"id": "KTP-el, KK, akta: layanan yang lambat atau bermasalah.", "en": "ID cards, family cards, certificates: slow or faulty service."}',
 'DISDUKCAPIL', 5, false, false, '[]', 90),
('other',
 '{"id": "Lainnya", "en": "Other"}',
 '{"id": "Hal lain; Diskominfosatik meneruskan ke OPD yang tepat.", "en": "Anything else; Diskominfosatik passes it to the right agency."}',
 'DISKOMINFOSATIK', 5, false, false, '[]', 999);
