-- Staff search (docs/cases.md, "Search"): the words of each case as modules give them, in
-- Indonesian full text, and trigram indexes for residents' names and reference fragments.
--
-- pg_trgm ships with PostgreSQL (contrib) and is a trusted extension since PostgreSQL 13: the
-- database's owner may create it without being a superuser. The `indonesian` text search
-- configuration (a Snowball stemmer) is built in.
CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- One row per case a module indexed (serang_app.api.index_case_words), written in the module's
-- transaction that writes or changes the words; a module's worker task fills in cases opened
-- before this release. A case without a row is found by its reference only.
CREATE TABLE case_search (
    case_id uuid PRIMARY KEY REFERENCES cases (id),
    -- The module's words (a complaint's description and address, an application's written
    -- answers), stemmed by the `indonesian` configuration.
    words tsvector NOT NULL,
    -- Whether staff may find the case by its resident's name: false for a complaint filed
    -- anonymously (the name is then kept from the search as from the public).
    resident_findable boolean NOT NULL,
    indexed_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX case_search_words_idx ON case_search USING gin (words);

-- A resident found by a misspelt name (word_similarity, `q <% name`); a case by a part of its
-- reference (`reference LIKE '%2612-0000%'`).
CREATE INDEX residents_name_trgm_idx ON residents USING gin (name gin_trgm_ops);
CREATE INDEX cases_reference_trgm_idx ON cases USING gin (reference gin_trgm_ops);
