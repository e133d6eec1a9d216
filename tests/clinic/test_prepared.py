"""A hot query prepared once per connection (clinic.prepared): planned once, its generic plan
reused, still there after a rollback, prepared again on a new connection, and a plain query
behind a pooler that cannot keep prepared statements."""

import pytest
from django.db import connection, transaction

from clinic.prepared import Prepared, execute_prepared

pytestmark = pytest.mark.django_db(transaction=True)

SQUARES = Prepared(
    name="anagen_test_squares",
    sql="SELECT n, n * n FROM unnest(%(numbers)s::int[]) AS n WHERE n %% %(modulo)s = 0 ORDER BY n",
    types={"numbers": "int[]", "modulo": "int"},
)


def squares(numbers: list[int], modulo: int) -> list[tuple[int, int]]:
    with connection.cursor() as cursor:
        execute_prepared(cursor, SQUARES, {"numbers": numbers, "modulo": modulo})
        return cursor.fetchall()


def prepared_here() -> list[tuple[str, int, int]]:
    """This connection's prepared statements of the test: name, generic and custom plans so far."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT name, generic_plans, custom_plans FROM pg_prepared_statements WHERE name = %s",
                       [SQUARES.name])
        return cursor.fetchall()


def test_the_statement_is_written_with_positional_parameters_in_the_order_of_its_types():
    assert SQUARES.prepare_sql() == (
        "PREPARE anagen_test_squares(int[], int) AS "
        "SELECT n, n * n FROM unnest($1::int[]) AS n WHERE n % $2 = 0 ORDER BY n"
    )


def test_prepared_once_per_connection_and_run_on_its_generic_plan_every_time():
    connection.close()
    assert squares([1, 2, 3, 4], 2) == [(2, 4), (4, 16)]
    for modulo in (1, 3, 4, 5, 7, 2):
        squares([1, 2, 3, 4, 5, 6, 7, 8], modulo)
    assert squares([10, 15, 20], 5) == [(10, 100), (15, 225), (20, 400)]
    # Eight runs, one PREPARE, and no run planned again for its own parameters.
    assert prepared_here() == [(SQUARES.name, 8, 0)]


def test_a_rollback_keeps_the_statement_and_a_new_connection_prepares_it_again():
    connection.close()
    with pytest.raises(RuntimeError), transaction.atomic():
        assert squares([3, 6], 3) == [(3, 9), (6, 36)]
        raise RuntimeError("the booking failed after its busy read")
    assert squares([4], 2) == [(4, 16)]
    assert prepared_here() == [(SQUARES.name, 2, 0)]
    connection.close()
    assert prepared_here() == []
    assert squares([5], 5) == [(5, 25)]
    assert prepared_here() == [(SQUARES.name, 1, 0)]


def test_behind_a_pooler_in_transaction_mode_the_query_runs_plain():
    connection.close()
    before = connection.settings_dict.get("DISABLE_SERVER_SIDE_CURSORS", False)
    connection.settings_dict["DISABLE_SERVER_SIDE_CURSORS"] = True
    try:
        assert squares([2, 3, 4], 2) == [(2, 4), (4, 16)]
        assert prepared_here() == []
    finally:
        connection.settings_dict["DISABLE_SERVER_SIDE_CURSORS"] = before
        connection.close()
