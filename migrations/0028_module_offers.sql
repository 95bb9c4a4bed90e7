-- What a module offers other modules to name (issue 23): the appointments module's bookable
-- services, which a service definition ending with an appointment names. The offering module
-- writes its rows through serang_app.api (offer_to_modules); others ask through module_offer.
-- Neither reads the other's schema. Expand only: the release still running ignores the table.
CREATE TABLE module_offers (
    module text NOT NULL,
    kind text NOT NULL CHECK (kind ~ '^[a-z][a-z0-9_]{1,40}$'),
    code text NOT NULL CHECK (length(code) BETWEEN 1 AND 100),
    is_open boolean NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (module, kind, code)
);
