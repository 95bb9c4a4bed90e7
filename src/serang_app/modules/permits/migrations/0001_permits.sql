-- The permits module (schema "permits"): permit types admins edit, and applications, drafted by
-- residents over several sessions before they become cases.

CREATE TABLE types (
    code text PRIMARY KEY CHECK (code ~ '^[a-z][a-z0-9_]{1,40}$'),
    title jsonb NOT NULL,
    description jsonb NOT NULL,
    opd_code text NOT NULL REFERENCES public.opds (code),
    sla_days integer NOT NULL CHECK (sla_days BETWEEN 1 AND 90),
    -- How long an issued permit is valid; NULL: without end.
    validity_days integer CHECK (validity_days BETWEEN 1 AND 3650),
    -- Approval only by a supervisor (an officer reviews, a supervisor signs).
    needs_supervisor boolean NOT NULL DEFAULT false,
    -- The form: typed fields, as complaint categories' questions (serang_app.forms).
    fields jsonb NOT NULL DEFAULT '[]',
    -- [{"code", "title": {"id", "en"}, "kinds": ["pdf", "image"], "required"}]
    documents jsonb NOT NULL DEFAULT '[]',
    -- Starts the permit numbers: SKU/2026/000123.
    number_prefix text NOT NULL CHECK (number_prefix ~ '^[A-Z]{2,8}$'),
    is_active boolean NOT NULL DEFAULT true,
    sort_order integer NOT NULL DEFAULT 100
);

CREATE TABLE applications (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    resident_id uuid NOT NULL REFERENCES public.residents (id),
    type_code text NOT NULL REFERENCES types (code),
    answers jsonb NOT NULL DEFAULT '{}',
    -- Set when the application is submitted and becomes a case.
    case_id uuid UNIQUE REFERENCES public.cases (id),
    -- While a revision is requested: {"note", "fields", "documents"} the officer named.
    revision jsonb,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    submitted_at timestamptz
);
CREATE INDEX applications_resident_idx ON applications (resident_id, created_at DESC);

-- One upload per required or optional document of the application.
CREATE TABLE application_documents (
    application_id uuid NOT NULL REFERENCES applications (id),
    document_code text NOT NULL,
    upload_id uuid NOT NULL UNIQUE REFERENCES public.uploads (id),
    added_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (application_id, document_code)
);

INSERT INTO types (code, title, description, opd_code, sla_days, validity_days, needs_supervisor, fields, documents,
                   number_prefix, sort_order)
VALUES
('business_certificate',
 '{"id": "Surat Keterangan Usaha", "en": "Business certificate"}',
 '{"id": "Keterangan bahwa Anda menjalankan usaha mikro di Kabupaten Serang.", "en": "A statement that you run a micro business in Kabupaten Serang."}',
 'DPMPTSP', 3, 365, false,
 '[{"code": "business_name", "datatype": "string", "required": true,
    "description": {"id": "Nama usaha", "en": "Business name"}, "values": []},
   {"code": "business_kind", "datatype": "singlevaluelist", "required": true,
    "description": {"id": "Jenis usaha", "en": "Kind of business"},
    "values": [{"key": "food", "name": {"id": "Makanan dan minuman", "en": "Food and drink"}},
               {"key": "trade", "name": {"id": "Perdagangan", "en": "Trade"}},
               {"key": "services", "name": {"id": "Jasa", "en": "Services"}},
               {"key": "crafts", "name": {"id": "Kerajinan", "en": "Crafts"}}]},
   {"code": "started", "datatype": "datetime", "required": false,
    "description": {"id": "Mulai usaha", "en": "Business started"}, "values": []}]',
 '[{"code": "id_card", "title": {"id": "KTP-el", "en": "ID card"}, "kinds": ["pdf", "image"], "required": true},
   {"code": "family_card", "title": {"id": "Kartu Keluarga", "en": "Family card"}, "kinds": ["pdf", "image"], "required": true},
   {"code": "place_photo", "title": {"id": "Foto tempat usaha", "en": "Photo of the premises"}, "kinds": ["image"], "required": false}]',
 'SKU', 10),
('advertisement',
 '{"id": "Izin Reklame", "en": "Advertisement permit"}',
 '{"id": "Izin memasang papan reklame atau spanduk.", "en": "Permission to put up a billboard or a banner."}',
 'DPMPTSP', 7, 365, true,
 '[{"code": "location", "datatype": "text", "required": true,
    "description": {"id": "Alamat lokasi reklame", "en": "Where the advertisement stands"}, "values": []},
   {"code": "size_m2", "datatype": "number", "required": true,
    "description": {"id": "Luas bidang reklame (m2)", "en": "Area of the advertisement (m2)"}, "values": []},
   {"code": "kind", "datatype": "singlevaluelist", "required": true,
    "description": {"id": "Jenis reklame", "en": "Kind"},
    "values": [{"key": "billboard", "name": {"id": "Papan", "en": "Billboard"}},
               {"key": "banner", "name": {"id": "Spanduk", "en": "Banner"}},
               {"key": "video", "name": {"id": "Videotron", "en": "Video screen"}}]}]',
 '[{"code": "id_card", "title": {"id": "KTP-el", "en": "ID card"}, "kinds": ["pdf", "image"], "required": true},
   {"code": "design", "title": {"id": "Desain reklame", "en": "Design of the advertisement"}, "kinds": ["pdf", "image"], "required": true},
   {"code": "land_consent", "title": {"id": "Izin pemilik lahan", "en": "Landowner''s consent"}, "kinds": ["pdf"], "required": true}]',
 'IRK', 20),
('research',
 '{"id": "Izin Penelitian", "en": "Research permit"}',
 '{"id": "Rekomendasi penelitian di wilayah Kabupaten Serang.", "en": "A recommendation to carry out research in Kabupaten Serang."}',
 'DPMPTSP', 5, 180, false,
 '[{"code": "institution", "datatype": "string", "required": true,
    "description": {"id": "Lembaga atau kampus", "en": "Institution or university"}, "values": []},
   {"code": "title", "datatype": "text", "required": true,
    "description": {"id": "Judul penelitian", "en": "Title of the research"}, "values": []},
   {"code": "districts", "datatype": "multivaluelist", "required": false,
    "description": {"id": "Wilayah penelitian", "en": "Where"},
    "values": [{"key": "whole_regency", "name": {"id": "Seluruh kabupaten", "en": "The whole regency"}},
               {"key": "coast", "name": {"id": "Wilayah pesisir", "en": "The coast"}},
               {"key": "highlands", "name": {"id": "Wilayah dataran tinggi", "en": "The highlands"}}]}]',
 '[{"code": "id_card", "title": {"id": "KTP-el", "en": "ID card"}, "kinds": ["pdf", "image"], "required": true},
   {"code": "cover_letter", "title": {"id": "Surat pengantar lembaga", "en": "Letter from the institution"}, "kinds": ["pdf"], "required": true},
   {"code": "proposal", "title": {"id": "Proposal penelitian", "en": "Research proposal"}, "kinds": ["pdf"], "required": true}]',
 'IPN', 30),
('crowd_event',
 '{"id": "Izin Keramaian", "en": "Crowd event permit"}',
 '{"id": "Izin menyelenggarakan acara yang mengumpulkan banyak orang.", "en": "Permission to hold an event that gathers many people."}',
 'SATPOLPP', 5, 30, true,
 '[{"code": "event_name", "datatype": "string", "required": true,
    "description": {"id": "Nama acara", "en": "Name of the event"}, "values": []},
   {"code": "starts", "datatype": "datetime", "required": true,
    "description": {"id": "Waktu mulai", "en": "Starts"}, "values": []},
   {"code": "attendees", "datatype": "number", "required": true,
    "description": {"id": "Perkiraan jumlah pengunjung", "en": "Expected attendance"}, "values": []}]',
 '[{"code": "id_card", "title": {"id": "KTP-el", "en": "ID card"}, "kinds": ["pdf", "image"], "required": true},
   {"code": "village_letter", "title": {"id": "Surat keterangan desa", "en": "Letter from the village"}, "kinds": ["pdf"], "required": true}]',
 'IKR', 40),
('health_facility',
 '{"id": "Izin Operasional Fasilitas Kesehatan", "en": "Health facility operating permit"}',
 '{"id": "Izin operasional klinik pratama, praktik mandiri, atau laboratorium.", "en": "Operating permit for a primary clinic, an independent practice or a laboratory."}',
 'DINKES', 14, 1825, true,
 '[{"code": "facility_name", "datatype": "string", "required": true,
    "description": {"id": "Nama fasilitas", "en": "Name of the facility"}, "values": []},
   {"code": "facility_kind", "datatype": "singlevaluelist", "required": true,
    "description": {"id": "Jenis fasilitas", "en": "Kind of facility"},
    "values": [{"key": "clinic", "name": {"id": "Klinik pratama", "en": "Primary clinic"}},
               {"key": "practice", "name": {"id": "Praktik mandiri", "en": "Independent practice"}},
               {"key": "laboratory", "name": {"id": "Laboratorium", "en": "Laboratory"}}]}]',
 '[{"code": "id_card", "title": {"id": "KTP-el", "en": "ID card"}, "kinds": ["pdf", "image"], "required": true},
   {"code": "practice_licence", "title": {"id": "Surat izin praktik", "en": "Practice licence"}, "kinds": ["pdf"], "required": true},
   {"code": "floor_plan", "title": {"id": "Denah bangunan", "en": "Floor plan"}, "kinds": ["pdf", "image"], "required": true}]',
 'IOF', 50);
