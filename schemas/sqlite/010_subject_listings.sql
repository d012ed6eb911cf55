-- 010 the lists a subject is on now (host API 12, Platform::SetListings): the codes of its
-- listings in force, sorted, ';'-separated. Kept by the lists plugin, read by the draws' pool
-- filter and strata and by the credit scores' vetoes; not imported and not in the digest.
ALTER TABLE subjects ADD COLUMN listings TEXT NOT NULL DEFAULT '';
