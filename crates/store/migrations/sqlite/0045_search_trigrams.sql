-- Subject search, trigrams (issue 17: p99 ≤ 50 ms at 10,000,000 subjects). The index now keeps
-- each folded name's trigrams beside its unigrams and bigrams
-- (`chengxin_domain::names::search_grams`), so a three-character query is its own posting
-- list. The index is derived data: emptied here, it is rebuilt from `subjects` by `migrate`'s
-- backfill (every visible subject without an index row), in chunks of their own transactions.
DELETE FROM subject_grams;
DELETE FROM gram_counts;
DELETE FROM subject_search;
