-- What the app learns at start: the oldest version still served per platform (and where to
-- update), a maintenance notice, feature switches. One row, edited by admins.
CREATE TABLE app_config (
    id boolean PRIMARY KEY DEFAULT true CHECK (id),
    config jsonb NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
);

INSERT INTO app_config (config) VALUES (
    '{"android": {"min_version": "1.0.0", "store_url": null},
      "ios": {"min_version": "1.0.0", "store_url": null},
      "maintenance": null,
      "features": {}}'
);
