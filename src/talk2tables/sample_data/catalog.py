"""The sample store's product catalog: one source for the database rows and the metadata aliases."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CatalogProduct:
    product_id: int
    name: str
    category: str
    price: float
    alias_key: str
    aliases: tuple[str, ...]
    tags: tuple[str, ...]


CATALOG: tuple[CatalogProduct, ...] = (
    CatalogProduct(
        123,
        "Magic Wand Pro",
        "Entertainment",
        49.99,
        "abracadabra",
        ("abra", "cadabra", "magic_wand"),
        ("entertainment", "magic"),
    ),
    CatalogProduct(
        124,
        "Crystal Ball Deluxe",
        "Entertainment",
        89.00,
        "seer_sphere",
        ("crystal ball", "orb", "fortune ball"),
        ("entertainment", "magic"),
    ),
    CatalogProduct(
        125,
        "Disappearing Top Hat",
        "Entertainment",
        34.50,
        "vanishing_hat",
        ("top hat", "magic hat"),
        ("entertainment", "magic", "apparel"),
    ),
    CatalogProduct(
        130,
        "Quantum Laptop X1",
        "Electronics",
        1499.00,
        "qlx",
        ("x1", "quantum laptop", "the quantum"),
        ("electronics", "computers"),
    ),
    CatalogProduct(
        131,
        "Nimbus Wireless Earbuds",
        "Electronics",
        129.99,
        "cloud_buds",
        ("nimbus", "earbuds", "buds"),
        ("electronics", "audio"),
    ),
    CatalogProduct(
        132, "Aurora Smart Lamp", "Electronics", 59.95, "glow", ("aurora", "smart lamp"), ("electronics", "home")
    ),
    CatalogProduct(
        133,
        "Titan Gaming Mouse",
        "Electronics",
        79.00,
        "titan",
        ("gaming mouse", "the mouse"),
        ("electronics", "gaming"),
    ),
    CatalogProduct(
        140, "Evergreen Yoga Mat", "Sports", 39.00, "green_mat", ("yoga mat", "evergreen", "mat"), ("sports", "fitness")
    ),
    CatalogProduct(
        141,
        "Summit Hiking Backpack",
        "Sports",
        119.00,
        "summit_pack",
        ("summit", "hiking pack", "backpack"),
        ("sports", "outdoor"),
    ),
    CatalogProduct(
        142,
        "Velocity Running Shoes",
        "Sports",
        139.50,
        "speedsters",
        ("velocity", "runners", "running shoes"),
        ("sports", "apparel"),
    ),
    CatalogProduct(
        150,
        "Barista Espresso Machine",
        "Home & Kitchen",
        329.00,
        "coffee_robot",
        ("espresso machine", "barista"),
        ("home", "kitchen"),
    ),
    CatalogProduct(
        151,
        "Chef's Cast Iron Skillet",
        "Home & Kitchen",
        44.95,
        "big_pan",
        ("skillet", "cast iron", "frying pan"),
        ("home", "kitchen"),
    ),
    CatalogProduct(
        152, "Cozy Cloud Blanket", "Home & Kitchen", 64.00, "snuggle", ("cloud blanket", "blanket"), ("home", "bedroom")
    ),
    CatalogProduct(
        160, "Midnight Mystery Novel", "Books", 18.99, "whodunit", ("mystery novel", "midnight"), ("books", "fiction")
    ),
    CatalogProduct(
        161,
        "Python for Wizards",
        "Books",
        42.00,
        "snake_book",
        ("python book", "wizard book"),
        ("books", "programming"),
    ),
    CatalogProduct(162, "The Data Atlas", "Books", 55.00, "atlas", ("data atlas", "the atlas"), ("books", "reference")),
    CatalogProduct(
        170, "Galaxy Puzzle 1000", "Toys", 24.99, "star_puzzle", ("galaxy puzzle", "jigsaw"), ("toys", "puzzles")
    ),
    CatalogProduct(
        171, "Robo Builder Kit", "Toys", 74.99, "robokit", ("robot kit", "robo", "builder kit"), ("toys", "stem")
    ),
)
