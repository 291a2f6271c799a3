-- "Production" rows for tests/schemas/shop_stats: skew (countries, tiers, statuses, customers
-- per order, products per item) and physical order correlated with time. Deterministic.
SELECT setseed(0.42);
INSERT INTO customers
SELECT i,
       CASE WHEN r < 0.6 THEN 'US' WHEN r < 0.8 THEN 'DE' WHEN r < 0.9 THEN 'FR'
            ELSE 'C' || lpad((floor(random() * 50))::int::text, 2, '0') END,
       CASE WHEN t < 0.95 THEN 'free' WHEN t < 0.99 THEN 'pro' ELSE 'enterprise' END,
       timestamptz '2020-01-01' + i * interval '1 hour',
       CASE WHEN random() < 0.3 THEN NULL ELSE 'user' || i || '@example.com' END
FROM (SELECT i, random() AS r, random() AS t FROM generate_series(1, 10000) i) s;
INSERT INTO products
SELECT i, CASE WHEN i % 10 < 6 THEN 'books' WHEN i % 10 < 9 THEN 'games' ELSE 'cat' || (i % 97) END,
       round((1 + random() * 99)::numeric, 2)
FROM generate_series(1, 2000) i;
INSERT INTO orders
SELECT i,
       least(10000, 1 + floor(10000 * power(random(), 4)))::bigint,
       CASE WHEN s < 0.97 THEN 'delivered' WHEN s < 0.99 THEN 'shipped'
            WHEN s < 0.999 THEN 'pending' ELSE 'cancelled' END,
       timestamptz '2022-01-01' + i * interval '4 minutes',
       round((5 + random() * 500)::numeric, 2),
       CASE WHEN c < 0.5 THEN NULL WHEN c < 0.95 THEN 'web' WHEN c < 0.995 THEN 'app' ELSE 'phone' END
FROM (SELECT i, random() AS s, random() AS c FROM generate_series(1, 100000) i) o;
INSERT INTO order_items
SELECT o.id, l, least(2000, 1 + floor(2000 * power(random(), 3)))::int, 1 + floor(random() * 5)::int
FROM orders o, generate_series(1, 2) l;
ANALYZE;
