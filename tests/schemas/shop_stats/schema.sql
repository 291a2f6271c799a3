-- A small shop whose "production" data is heavily skewed and correlated (tests/test_stats.py).
CREATE TABLE customers (
    id bigint PRIMARY KEY,
    country text NOT NULL,
    tier text NOT NULL,
    created_at timestamptz NOT NULL,
    email text
);
CREATE TABLE products (
    id integer PRIMARY KEY,
    category text NOT NULL,
    price numeric(10,2) NOT NULL
);
CREATE TABLE orders (
    id bigint PRIMARY KEY,
    customer_id bigint NOT NULL REFERENCES customers,
    status text NOT NULL,
    created_at timestamptz NOT NULL,
    amount numeric(12,2) NOT NULL,
    channel text
);
CREATE TABLE order_items (
    order_id bigint NOT NULL REFERENCES orders,
    line integer NOT NULL,
    product_id integer NOT NULL REFERENCES products,
    quantity integer NOT NULL,
    PRIMARY KEY (order_id, line)
);
CREATE INDEX orders_status_idx ON orders (status);
CREATE INDEX orders_created_at_idx ON orders (created_at);
CREATE INDEX orders_customer_id_idx ON orders (customer_id);
CREATE INDEX orders_channel_idx ON orders (channel);
CREATE INDEX customers_country_idx ON customers (country);
CREATE INDEX customers_tier_idx ON customers (tier);
CREATE INDEX order_items_product_id_idx ON order_items (product_id);
CREATE INDEX products_category_idx ON products (category);
