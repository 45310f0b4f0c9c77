"""The sample store's tables, defined once (SQLAlchemy Core) for SQLite and PostgreSQL alike."""

from __future__ import annotations

from sqlalchemy import Column, Date, ForeignKey, Integer, MetaData, Numeric, String, Table

# Money is NUMERIC(10, 2) in the database but a float in Python: SQLite has no decimal type, and
# asking SQLAlchemy for Decimals there would warn about float rounding on every read.
Money = Numeric(10, 2, asdecimal=False)

metadata = MetaData()

customers = Table(
    "customers",
    metadata,
    Column("customer_id", Integer, primary_key=True, autoincrement=False),
    Column("first_name", String(50), nullable=False),
    Column("last_name", String(50), nullable=False),
    Column("email", String(120), nullable=False, unique=True),
    Column("city", String(60), nullable=False),
    Column("country", String(60), nullable=False),
    Column("region", String(30), nullable=False),
    Column("segment", String(20), nullable=False),
    Column("signup_date", Date, nullable=False),
)

products = Table(
    "products",
    metadata,
    Column("product_id", Integer, primary_key=True, autoincrement=False),
    Column("product_name", String(80), nullable=False, unique=True),
    Column("category", String(40), nullable=False),
    Column("price", Money, nullable=False),
    Column("unit_cost", Money, nullable=False),
    Column("launch_date", Date, nullable=False),
)

orders = Table(
    "orders",
    metadata,
    Column("order_id", Integer, primary_key=True, autoincrement=False),
    Column("customer_id", Integer, ForeignKey("customers.customer_id"), nullable=False),
    Column("order_date", Date, nullable=False),
    Column("status", String(20), nullable=False),
    Column("payment_method", String(20), nullable=False),
    Column("total_amount", Money, nullable=False),
)

order_items = Table(
    "order_items",
    metadata,
    Column("order_item_id", Integer, primary_key=True, autoincrement=False),
    Column("order_id", Integer, ForeignKey("orders.order_id"), nullable=False),
    Column("product_id", Integer, ForeignKey("products.product_id"), nullable=False),
    Column("quantity", Integer, nullable=False),
    Column("unit_price", Money, nullable=False),
    Column("discount", Numeric(4, 2, asdecimal=False), nullable=False),
    Column("line_total", Money, nullable=False),
)

# One row per item of every order that was paid for and kept (not cancelled, not returned):
# the table revenue questions ("sales amount", "top products") are meant to use.
sales = Table(
    "sales",
    metadata,
    Column("sale_id", Integer, primary_key=True, autoincrement=False),
    Column("order_id", Integer, ForeignKey("orders.order_id"), nullable=False),
    Column("product_id", Integer, ForeignKey("products.product_id"), nullable=False),
    Column("customer_id", Integer, ForeignKey("customers.customer_id"), nullable=False),
    Column("sale_date", Date, nullable=False),
    Column("quantity", Integer, nullable=False),
    Column("unit_price", Money, nullable=False),
    Column("discount", Numeric(4, 2, asdecimal=False), nullable=False),
    Column("total_amount", Money, nullable=False),
    Column("region", String(30), nullable=False),
)

# Insert order: every table after the tables it references.
TABLES: tuple[Table, ...] = (customers, products, orders, order_items, sales)
