"""A queryset's SQL made once, run again with each request's values (issue 18).

Building and compiling a query through the ORM costs 0.3-1 ms of app CPU; its
SQL never changes from one person to the next, only the values bound to it. A
page that runs the same handful of queries on every request (My page) says
what each one is as a queryset, as usual, and ``CompiledQuery`` compiles it
once per database connection with stand-in values, then runs that SQL with the
real ones: the same statement the ORM would send, the same converters on the
rows, about a quarter of the CPU.

Only SQL text is kept, never a row: nothing one person's page read can reach
another's. Every argument must arrive as a bound parameter of the SQL, whole;
the queryset is compiled twice with different stand-ins to check that, so that
a value the ORM would transform (``icontains``), write into the SQL, or read
from the clock while building (``timezone.now()``) is refused at first use
instead of being frozen (a date read from the clock cannot be told from a
constant: a queryset built here must not read the clock at all). Keep such a
query in the ORM.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable
from typing import Any, TypeVar

from django.db import connections, router
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import DEFERRED, Model, QuerySet
from django.db.models.query import ValuesIterable
from django.db.models.sql.compiler import SQLCompiler

# Stand-ins a real value never is: integers near the top of a BigAutoField's range,
# and strings no form lets anyone type.
_INT_STAND_INS = (9_187_201_950_435_737_471, 9_151_314_442_816_847_871)
_STR_STAND_INS = ("\x00compiled-a-{}\x00", "\x00compiled-b-{}\x00")


def _stand_ins(kinds: tuple[type, ...], which: int) -> list[Any]:
    values: list[Any] = []
    for index, kind in enumerate(kinds):
        if kind is int:
            values.append(_INT_STAND_INS[which] - index)
        elif kind is str:
            values.append(_STR_STAND_INS[which].format(index))
        else:
            raise TypeError(f"CompiledQuery takes int and str arguments, not {kind.__name__}.")
    return values


_M = TypeVar("_M", bound=Model)


def partial_instance(model: type[_M], alias: str, row: dict[str, Any]) -> _M:
    """An instance of ``model`` from a row with some of its fields (by attname), the
    others deferred, as ``.only()`` of those fields makes it. Other keys are ignored."""
    fields = model._meta.concrete_fields
    loaded = [field.attname for field in fields if field.attname in row]
    return model.from_db(alias, loaded, [row.get(field.attname, DEFERRED) for field in fields])


class _Compiled:
    """One queryset's SQL on one connection, and where each argument goes."""

    def __init__(self, build: Callable[..., QuerySet[Any]], kinds: tuple[type, ...], alias: str):
        first, second = _stand_ins(kinds, 0), _stand_ins(kinds, 1)
        queryset = build(*first)
        query = queryset.query
        if queryset._iterable_class is not ValuesIterable:
            raise TypeError("CompiledQuery runs .values() querysets only.")
        self.compiler: SQLCompiler = query.get_compiler(using=alias)
        self.sql, params = self.compiler.as_sql()
        other_sql, other_params = build(*second).query.get_compiler(using=alias).as_sql()
        self.slots = self._slots(first, second, params, other_params)
        if other_sql != self.sql or any(str(value) in self.sql for value in first):
            raise ValueError(f"An argument of this query is not a bound parameter: {self.sql}")
        self.params = list(params)
        self.names = list(query.selected or [])
        if not self.names:
            self.names = [*query.extra_select, *query.values_select, *query.annotation_select]
        self.width = self.compiler.col_count if self.compiler.has_extra_select else None
        columns = [select[0] for select in self.compiler.select[: self.compiler.col_count]]
        self.converters = self.compiler.get_converters(columns)

    @staticmethod
    def _slots(
        first: list[Any], second: list[Any], params: tuple[Any, ...], other: tuple[Any, ...]
    ) -> list[tuple[int, int]]:
        """(position in the parameters, argument) for each argument's parameter."""
        if len(params) != len(other):
            raise ValueError("The query's parameters change with its arguments.")
        slots = []
        for position, (value, other_value) in enumerate(zip(params, other, strict=True)):
            if value in first and type(value) is type(first[first.index(value)]):
                argument = first.index(value)
                if other_value != second[argument]:
                    raise ValueError("An argument of this query is not a bound parameter.")
                slots.append((position, argument))
            elif value != other_value or any(
                isinstance(value, str) and str(stand_in) in value for stand_in in first
            ):
                # Made from an argument (a pattern) or from the clock: it would be frozen.
                raise ValueError(f"Parameter {position} of this query is not an argument.")
        if {argument for _position, argument in slots} != set(range(len(first))):
            raise ValueError("An argument of this query is not a bound parameter.")
        return slots

    def rows(self, arguments: tuple[Any, ...]) -> list[dict[str, Any]]:
        params = list(self.params)
        for position, argument in self.slots:
            params[position] = arguments[argument]
        compiler = self.compiler
        with compiler.connection.cursor() as cursor:
            cursor.execute(self.sql, params)
            fetched = cursor.fetchall()
        if self.width is not None:
            fetched = [row[: self.width] for row in fetched]
        if self.converters:
            fetched = list(compiler.apply_converters(fetched, self.converters))
        names = self.names
        return [dict(zip(names, row, strict=True)) for row in fetched]


class CompiledQuery:
    """``build(*arguments)``, a ``.values()`` queryset, compiled once per connection
    and per kind of arguments, then run with the arguments given to ``rows()``.

        MY_REQUESTS = CompiledQuery(
            Request, lambda person_id: Request.objects.filter(requester_id=person_id).values(...)
        )
        MY_REQUESTS.rows(person.pk)  # == list(build(person.pk)), in a quarter of the CPU

    Arguments are ints and strs; a different number of them (an OR of N pairs)
    compiles a query of its own. The database is the one the router reads
    ``model`` from at each call, so a page's reads still follow the router.
    """

    def __init__(self, model: type[Model], build: Callable[..., QuerySet[Any]]) -> None:
        self.model = model
        self.build = build
        # Each connection (one per thread) compiles its own: converters belong to it.
        self._compiled: weakref.WeakKeyDictionary[
            BaseDatabaseWrapper, dict[tuple[type, ...], _Compiled]
        ] = weakref.WeakKeyDictionary()
        self._lock = threading.Lock()

    def rows(self, *arguments: Any) -> list[dict[str, Any]]:
        alias = router.db_for_read(self.model)
        connection = connections[alias]
        kinds = tuple(type(argument) for argument in arguments)
        compiled = self._compiled.get(connection, {}).get(kinds)
        if compiled is None:
            compiled = _Compiled(self.build, kinds, alias)
            with self._lock:
                self._compiled.setdefault(connection, {})[kinds] = compiled
        return compiled.rows(arguments)
