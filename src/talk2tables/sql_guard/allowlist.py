"""What a read-only query may contain: the SQL constructs, and per dialect the functions, by name.

Allow, don't deny. A construct or function not listed here is refused, so a function the database has and
this list forgets is a refused question, never a hole. The function lists are the names a database user
writes (`strftime`, `date_trunc`); sqlglot parses many of them into typed expressions (`TimeToStr`,
`TimestampTrunc`), so the typed classes allowed in a dialect are derived by parsing these names and
examples in that dialect. Everything listed only reads: scalar, aggregate, window, date/time, string,
math and JSON-reading functions. Left out on purpose, beyond everything with side effects: functions that
only build huge values (`zeroblob`, `randomblob`, `repeat`, `lpad`/`rpad`), and those that show the server
rather than the data (`version`, `current_setting`, `current_user`, every `pg_*`).
"""

from __future__ import annotations

from functools import cache

import sqlglot
from sqlglot import exp
from sqlglot.errors import SqlglotError

# Shared by every dialect: aggregate, window, math, string and conditional functions of standard SQL.
_COMMON = """
abs avg ceil ceiling coalesce count cume_dist dense_rank exp first_value floor lag last_value lead length ln log
lower ltrim max min mod nth_value ntile nullif percent_rank power rank replace round row_number rtrim sign sqrt
substr substring sum trim upper
"""

_SQLITE = """
acos acosh asin asinh atan atan2 atanh char concat concat_ws cos cosh date datetime degrees format glob
group_concat hex ifnull iif instr json json_array json_array_length json_each json_extract json_group_array
json_group_object json_object json_quote json_tree json_type json_valid julianday like likelihood likely log10 log2
octet_length pi pow printf quote radians random sin sinh soundex strftime string_agg tan tanh time timediff total
trunc typeof unhex unicode unixepoch unlikely
"""

_POSTGRES = """
acos age array_agg array_append array_cat array_length array_lower array_position array_positions array_prepend
array_remove array_replace array_to_json array_to_string array_upper ascii asin atan atan2 bit_and bit_length
bit_or bool_and bool_or btrim cardinality cbrt char_length character_length chr clock_timestamp concat concat_ws
corr cos cot covar_pop covar_samp date_bin date_part date_trunc degrees div every factorial gcd
generate_series greatest grouping initcap isfinite json_agg json_array_elements json_array_elements_text
json_array_length json_build_array json_build_object json_each json_each_text json_extract_path
json_extract_path_text json_object_agg json_object_keys json_typeof jsonb_agg jsonb_array_elements
jsonb_array_elements_text jsonb_array_length jsonb_build_array jsonb_build_object jsonb_each jsonb_each_text
jsonb_extract_path jsonb_extract_path_text jsonb_object_agg jsonb_object_keys jsonb_typeof justify_days
justify_hours justify_interval lcm least left log10 make_date make_interval make_time make_timestamp md5 mode now
octet_length percentile_cont percentile_disc pi plainto_tsquery position radians random regexp_count
regexp_match regexp_matches regexp_replace regexp_split_to_array regexp_split_to_table regexp_substr reverse right
row_to_json scale sin split_part starts_with stddev stddev_pop stddev_samp string_agg string_to_array strpos tan
to_char to_date to_hex to_json to_jsonb to_timestamp to_tsquery to_tsvector translate trunc ts_headline ts_rank
unnest var_pop var_samp variance websearch_to_tsquery width_bucket
"""

FUNCTIONS: dict[str, frozenset[str]] = {
    "sqlite": frozenset((_COMMON + _SQLITE).split()),
    "postgres": frozenset((_COMMON + _POSTGRES).split()),
}
# Any other database the Database MCP is pointed at (with a warning that its connection is not made read-only).
GENERIC_FUNCTIONS = frozenset(_COMMON.split())

# Functions written as syntax rather than as a name: each example yields the typed classes it parses into.
_SYNTAX_EXAMPLES: dict[str, tuple[str, ...]] = {
    "sqlite": (
        "SELECT CASE WHEN a THEN 1 ELSE 2 END, CASE a WHEN 1 THEN 2 END, CAST(a AS INTEGER), a IS NOT b",
        "SELECT a GLOB 'x', a LIKE 'x' ESCAPE '!', a -> '$.k', a ->> '$.k', EXISTS (SELECT 1)",
        "SELECT CURRENT_DATE, CURRENT_TIME, CURRENT_TIMESTAMP, COUNT(*), COUNT(DISTINCT a), strftime('%Y', a)",
    ),
    "postgres": (
        "SELECT CASE WHEN a THEN 1 ELSE 2 END, CASE a WHEN 1 THEN 2 END, a::int, CAST(a AS TEXT), EXISTS (SELECT 1)",
        "SELECT EXTRACT(YEAR FROM a), a AT TIME ZONE 'UTC', CURRENT_DATE, CURRENT_TIME, CURRENT_TIMESTAMP",
        "SELECT LOCALTIME, LOCALTIMESTAMP, ARRAY[1, 2], a = ANY(ARRAY[1]), a IS DISTINCT FROM b, COUNT(*)",
        "SELECT a ->> 'k', a -> 'k', a #> '{k}', a #>> '{k}', a @> b, a <@ b, a ? 'k', a && b, a ~ 'x', a ~* 'x'",
        "SELECT PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY a), date_trunc('month', a), strpos(a, b)",
    ),
}
_GENERIC_SYNTAX = ("SELECT CASE WHEN a THEN 1 ELSE 2 END, CAST(a AS INT), COUNT(*), EXISTS (SELECT 1)",)

# The constructs of a query that reads: statements that read, clauses, references, literals and operators.
# A node of any other kind (a write, a command, a parameter, a named argument, attribute notation `(x).f`,
# an operator call, a dollar- or escape-quoted string...) is refused.
ALLOWED_NODES: frozenset[type[exp.Expr]] = frozenset(
    {
        # statements and clauses
        exp.Select, exp.Union, exp.Intersect, exp.Except, exp.Subquery, exp.With, exp.CTE, exp.From, exp.Join,
        exp.Where, exp.Group, exp.Having, exp.Order, exp.Ordered, exp.Limit, exp.Offset, exp.Fetch,
        exp.LimitOptions, exp.Distinct, exp.Window, exp.WindowSpec, exp.Filter, exp.WithinGroup, exp.Lateral,
        exp.Values, exp.Rollup, exp.Cube, exp.GroupingSets, exp.IgnoreNulls, exp.RespectNulls,
        # names and references
        exp.Alias, exp.TableAlias, exp.Table, exp.Column, exp.Identifier, exp.Star, exp.Var,
        # literals and types
        exp.Literal, exp.Null, exp.Boolean, exp.HexString, exp.BitString, exp.DataType, exp.DataTypeParam,
        exp.Interval, exp.Tuple, exp.Paren, exp.Bracket, exp.Slice,
        # operators
        exp.Add, exp.Sub, exp.Mul, exp.Div, exp.IntDiv, exp.Mod, exp.Neg, exp.DPipe, exp.And, exp.Or, exp.Not,
        exp.EQ, exp.NEQ, exp.GT, exp.GTE, exp.LT, exp.LTE, exp.NullSafeEQ, exp.NullSafeNEQ, exp.Is, exp.In,
        exp.Between, exp.Like, exp.ILike, exp.Glob, exp.SimilarTo, exp.Escape, exp.Any, exp.All, exp.Collate,
        exp.BitwiseAnd, exp.BitwiseOr, exp.BitwiseXor, exp.BitwiseNot, exp.BitwiseLeftShift,
        exp.BitwiseRightShift, exp.AtTimeZone, exp.Overlaps,
        # JSON paths, as sqlglot parses the path argument of json_extract and ->/->>
        exp.JSONPath, exp.JSONPathRoot, exp.JSONPathKey, exp.JSONPathSubscript, exp.JSONPathWildcard,
        exp.JSONPathSlice,
    }
)  # fmt: skip


def allowed_function_classes(dialect: str) -> frozenset[type[exp.Func]]:
    """The typed function classes a query in `dialect` may contain."""
    return _derived(dialect)[0]


def allowed_function_names(dialect: str) -> frozenset[str]:
    """The function names (lower case) a query in `dialect` may call where sqlglot has no typed class for them."""
    return FUNCTIONS.get(dialect, GENERIC_FUNCTIONS)


@cache
def _derived(dialect: str) -> tuple[frozenset[type[exp.Func]], frozenset[str]]:
    """Parse every allowed name (with one to three arguments) and every syntax example in `dialect` and collect the
    typed function classes they yield. Derived from the lists above, so it is the same on every call."""
    classes: set[type[exp.Func]] = set()
    names = allowed_function_names(dialect)
    for name in names:
        for args in ("a", "a, b", "a, b, c", ""):
            try:
                parsed = sqlglot.parse_one(f"SELECT {name}({args}) FROM t", read=dialect)
            except SqlglotError:
                continue
            classes.update(_typed_functions(parsed))
            break
    for example in _SYNTAX_EXAMPLES.get(dialect, _GENERIC_SYNTAX):
        classes.update(_typed_functions(sqlglot.parse_one(example, read=dialect)))
    return frozenset(classes), names


def _typed_functions(tree: exp.Expr) -> set[type[exp.Func]]:
    return {type(node) for node in tree.walk() if isinstance(node, exp.Func) and not isinstance(node, exp.Anonymous)}
