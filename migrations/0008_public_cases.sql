-- Whether a case may be shown to the public (a complaint reported as public): its photos'
-- thumbnails are then readable without signing in. Set by the module that opens the case.
ALTER TABLE cases ADD COLUMN is_public boolean NOT NULL DEFAULT false;
