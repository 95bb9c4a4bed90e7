-- The appointments module (schema "appointments"): what can be booked where and when, the seats
-- taken, the bookings and the day's queue at each place.

-- What a resident comes for (a KTP-el recording, a family card), with the documents to bring.
CREATE TABLE services (
    code text PRIMARY KEY CHECK (code ~ '^[a-z][a-z0-9_]{1,40}$'),
    title jsonb NOT NULL,
    -- [{"id", "en"}]: what to bring to the counter.
    documents jsonb NOT NULL DEFAULT '[]',
    opd_code text NOT NULL REFERENCES public.opds (code),
    duration_minutes integer NOT NULL CHECK (duration_minutes BETWEEN 5 AND 240),
    is_active boolean NOT NULL DEFAULT true,
    sort_order integer NOT NULL DEFAULT 100
);

-- Where: the agency's office, the public service mall, district offices.
CREATE TABLE places (
    code text PRIMARY KEY CHECK (code ~ '^[a-z][a-z0-9_]{1,40}$'),
    name text NOT NULL,
    address text NOT NULL,
    district_code text NOT NULL REFERENCES public.regions (code),
    latitude double precision NOT NULL CHECK (latitude BETWEEN -90 AND 90),
    longitude double precision NOT NULL CHECK (longitude BETWEEN -180 AND 180),
    is_active boolean NOT NULL DEFAULT true
);

-- Which service a place offers, and when: weekly hours (Asia/Jakarta), the slot length, seats
-- per slot and the share kept for walk-ins, how far ahead booking opens and when it closes.
CREATE TABLE schedules (
    place_code text NOT NULL REFERENCES places (code),
    service_code text NOT NULL REFERENCES services (code),
    -- [{"weekday": 0 (Monday) .. 6, "opens": "08:00", "closes": "12:00"}]
    hours jsonb NOT NULL,
    slot_minutes integer NOT NULL CHECK (slot_minutes BETWEEN 5 AND 240),
    capacity integer NOT NULL CHECK (capacity BETWEEN 1 AND 500),
    walk_in_percent integer NOT NULL DEFAULT 0 CHECK (walk_in_percent BETWEEN 0 AND 100),
    horizon_days integer NOT NULL DEFAULT 14 CHECK (horizon_days BETWEEN 1 AND 90),
    cutoff_minutes integer NOT NULL DEFAULT 120 CHECK (cutoff_minutes BETWEEN 0 AND 2880),
    is_active boolean NOT NULL DEFAULT true,
    PRIMARY KEY (place_code, service_code)
);

-- Days a place (or, with place_code NULL, every place) is closed besides the public holidays.
CREATE TABLE closures (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    day date NOT NULL,
    place_code text REFERENCES places (code),
    reason text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX closures_day_place_idx ON closures (day, coalesce(place_code, ''));

-- Seats taken per slot. The row is the lock: a booking takes a seat with one conditional
-- UPDATE (booked < the online seats), so concurrent requests for the last seat serialise on it
-- and never overbook.
CREATE TABLE slot_seats (
    place_code text NOT NULL,
    service_code text NOT NULL,
    starts_at timestamptz NOT NULL,
    booked integer NOT NULL DEFAULT 0 CHECK (booked >= 0),
    PRIMARY KEY (place_code, service_code, starts_at),
    FOREIGN KEY (place_code, service_code) REFERENCES schedules (place_code, service_code)
);

CREATE TABLE bookings (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    -- A booking from the app is a case; a walk-in added by staff is only a queue entry.
    case_id uuid UNIQUE REFERENCES public.cases (id),
    resident_id uuid REFERENCES public.residents (id),
    service_code text NOT NULL REFERENCES services (code),
    place_code text NOT NULL REFERENCES places (code),
    starts_at timestamptz NOT NULL,
    ends_at timestamptz NOT NULL,
    -- booked, checked_in, called, serving, done, cancelled, no_show, office_closed
    status text NOT NULL,
    -- Holds a seat and counts towards "one active booking per service".
    active boolean NOT NULL DEFAULT true,
    -- In the QR code the resident shows at the counter (the reference number works too).
    check_in_code text UNIQUE,
    walk_in boolean NOT NULL DEFAULT false,
    walk_in_name text,
    queue_day date,
    queue_number integer,
    checked_in_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CHECK (walk_in OR (case_id IS NOT NULL AND resident_id IS NOT NULL AND check_in_code IS NOT NULL))
);
-- One active booking per resident and service, whatever races.
CREATE UNIQUE INDEX bookings_one_active_idx ON bookings (resident_id, service_code) WHERE active AND NOT walk_in;
CREATE INDEX bookings_resident_idx ON bookings (resident_id, created_at DESC);
-- The no-show sweep and a day's closure: active bookings by time.
CREATE INDEX bookings_active_starts_idx ON bookings (starts_at) WHERE active;
CREATE INDEX bookings_queue_idx ON bookings (place_code, queue_day, queue_number);

-- Queue numbers per place and day: A-001 onwards.
CREATE TABLE queue_counters (
    place_code text NOT NULL REFERENCES places (code),
    day date NOT NULL,
    last_value integer NOT NULL,
    PRIMARY KEY (place_code, day)
);

INSERT INTO services (code, title, documents, opd_code, duration_minutes, sort_order) VALUES
('ktp_recording', '{"id": "Perekaman KTP-el", "en": "ID card (KTP-el) recording"}',
 '[{"id": "Kartu Keluarga asli", "en": "Original family card"}]', 'DISDUKCAPIL', 15, 10),
('ktp_reprint', '{"id": "Cetak ulang KTP-el (rusak/hilang)", "en": "ID card reprint (damaged or lost)"}',
 '[{"id": "KTP-el yang rusak, atau surat kehilangan dari kepolisian", "en": "The damaged card, or a police loss report"}, {"id": "Kartu Keluarga", "en": "Family card"}]',
 'DISDUKCAPIL', 10, 20),
('family_card', '{"id": "Kartu Keluarga (baru/perubahan)", "en": "Family card (new or changed)"}',
 '[{"id": "Kartu Keluarga lama", "en": "The old family card"}, {"id": "Buku nikah atau akta cerai", "en": "Marriage or divorce certificate"}, {"id": "Surat pengantar RT/RW", "en": "Letter from the neighbourhood head (RT/RW)"}]',
 'DISDUKCAPIL', 15, 30),
('birth_certificate', '{"id": "Akta Kelahiran", "en": "Birth certificate"}',
 '[{"id": "Surat keterangan lahir dari bidan/rumah sakit", "en": "Birth statement from the midwife or hospital"}, {"id": "Kartu Keluarga", "en": "Family card"}, {"id": "Buku nikah orang tua", "en": "Parents'' marriage certificate"}]',
 'DISDUKCAPIL', 15, 40),
('death_certificate', '{"id": "Akta Kematian", "en": "Death certificate"}',
 '[{"id": "Surat keterangan kematian dari desa atau rumah sakit", "en": "Death statement from the village or hospital"}, {"id": "KTP-el dan Kartu Keluarga almarhum", "en": "The deceased''s ID card and family card"}]',
 'DISDUKCAPIL', 15, 50),
('moving', '{"id": "Pindah datang/keluar", "en": "Moving in or out"}',
 '[{"id": "Kartu Keluarga", "en": "Family card"}, {"id": "Surat keterangan pindah (SKPWNI) bila datang", "en": "Moving certificate (SKPWNI) when moving in"}]',
 'DISDUKCAPIL', 20, 60);

-- Addresses and coordinates as the regency publishes them; admins correct them.
INSERT INTO places (code, name, address, district_code, latitude, longitude) VALUES
('disdukcapil_office', 'Kantor Disdukcapil Kabupaten Serang', 'Pusat Pemerintahan Kabupaten Serang, Ciruas',
 '36.04.09', -6.1175, 106.2270),
('public_service_mall', 'Mal Pelayanan Publik Kabupaten Serang', 'Pusat Pemerintahan Kabupaten Serang, Ciruas',
 '36.04.09', -6.1160, 106.2290),
('kramatwatu_district', 'Kantor Kecamatan Kramatwatu', 'Jl. Raya Cilegon, Kramatwatu', '36.04.05', -6.0590, 106.1080),
('cikande_district', 'Kantor Kecamatan Cikande', 'Jl. Raya Jakarta, Cikande', '36.04.15', -6.1850, 106.3450);

-- Monday to Thursday 08:00-15:00, Friday 08:00-11:30 at the office and the mall (the mall also
-- Saturday mornings); district offices take recordings and reprints on Tuesday and Thursday.
INSERT INTO schedules (place_code, service_code, hours, slot_minutes, capacity, walk_in_percent)
SELECT p.place, s.code, p.hours::jsonb, 30, p.capacity, 25
FROM (VALUES
    ('disdukcapil_office', 8,
     '[{"weekday": 0, "opens": "08:00", "closes": "15:00"}, {"weekday": 1, "opens": "08:00", "closes": "15:00"},
       {"weekday": 2, "opens": "08:00", "closes": "15:00"}, {"weekday": 3, "opens": "08:00", "closes": "15:00"},
       {"weekday": 4, "opens": "08:00", "closes": "11:30"}]'),
    ('public_service_mall', 4,
     '[{"weekday": 0, "opens": "08:00", "closes": "15:00"}, {"weekday": 1, "opens": "08:00", "closes": "15:00"},
       {"weekday": 2, "opens": "08:00", "closes": "15:00"}, {"weekday": 3, "opens": "08:00", "closes": "15:00"},
       {"weekday": 4, "opens": "08:00", "closes": "11:30"}, {"weekday": 5, "opens": "08:00", "closes": "12:00"}]')
) AS p (place, capacity, hours)
CROSS JOIN services s;

INSERT INTO schedules (place_code, service_code, hours, slot_minutes, capacity, walk_in_percent)
SELECT place, service, '[{"weekday": 1, "opens": "08:00", "closes": "12:00"}, {"weekday": 3, "opens": "08:00", "closes": "12:00"}]',
       30, 4, 25
FROM unnest(ARRAY['kramatwatu_district', 'cikande_district']) AS place
CROSS JOIN unnest(ARRAY['ktp_recording', 'ktp_reprint']) AS service;
