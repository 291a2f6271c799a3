-- One query per line: the plan-agreement query set of tests/test_stats.py and bench_stats.py.
SELECT * FROM orders WHERE status = 'cancelled'
SELECT * FROM orders WHERE status = 'delivered'
SELECT count(*) FROM orders WHERE created_at >= '2022-10-01' AND created_at < '2022-10-02'
SELECT count(*) FROM orders WHERE created_at >= '2022-02-01'
SELECT * FROM orders WHERE customer_id = 1
SELECT * FROM orders WHERE customer_id = 9990
SELECT c.country, count(*) FROM orders o JOIN customers c ON c.id = o.customer_id GROUP BY c.country
SELECT * FROM customers WHERE country = 'US'
SELECT * FROM customers WHERE country = 'C07'
SELECT o.* FROM customers c JOIN orders o ON o.customer_id = c.id WHERE c.tier = 'enterprise'
SELECT * FROM order_items WHERE product_id = 1
SELECT * FROM order_items WHERE product_id = 1999
SELECT p.category, sum(oi.quantity) FROM order_items oi JOIN products p ON p.id = oi.product_id GROUP BY p.category
SELECT * FROM orders ORDER BY created_at DESC LIMIT 10
SELECT * FROM orders WHERE channel IS NULL
SELECT * FROM orders WHERE channel = 'phone'
SELECT count(DISTINCT customer_id) FROM orders WHERE status = 'shipped'
SELECT * FROM customers c WHERE EXISTS (SELECT 1 FROM orders o WHERE o.customer_id = c.id AND o.status = 'cancelled')
SELECT * FROM customers WHERE email IS NULL AND tier = 'pro'
SELECT * FROM products WHERE category = 'books' ORDER BY price DESC LIMIT 5
