"""Querysets compiled to SQL once per process, then run with new values (issue 18).

Building a queryset and compiling it to SQL costs 0.15-0.4 ms of app CPU every
time, more than PostgreSQL needs to run a hot page's simple query, and the SQL
comes out the same on every request: only a few values change (the pod, the
person, the page). A ``CompiledQuery`` is an ordinary queryset, of model
instances or of ``values()``/``values_list()``, with ``Param("name", field)``
where those values go::

    POD_BY_SLUG = CompiledQuery(Pod.objects.filter(slug=Param("slug", CharField())))
    pod = POD_BY_SLUG.first(slug=slug)

Django compiles it the first time it runs on each database; every later run
sends the same SQL with the new values (prepared by ``field`` as the ORM
prepares them) through a cursor, on the database the router picks, and converts
each column with the converters the ORM applies. The rules stay on the
querysets: the SQL is Django's own, not a copy.

What the queryset says is fixed when it is compiled: anything that changes
from one request to the next (``timezone.now()``, the person) must be a Param.
A date or a time bound as a plain value is refused when the query is first
compiled: it is almost always the clock read while the queryset was built, and
it would stay that moment's for as long as the process runs. (On PostgreSQL,
where the suite checks it; SQLite's backend binds dates as text.)
"""

import datetime
from collections.abc import Iterator
from typing import Any

from django.db import connections, router
from django.db.models import Expression, Field, Model, QuerySet
from django.db.models.query import ModelIterable, ValuesIterable, ValuesListIterable


class Param(Expression):
    """A value given when a CompiledQuery runs, prepared for the database by ``field``."""

    def __init__(self, name: str, field: Field) -> None:
        super().__init__(output_field=field)
        self.name = name

    def as_sql(self, compiler: Any, connection: Any) -> Any:
        return "%s", [_Slot(self.name, self.output_field)]

    def __repr__(self) -> str:
        return f"Param({self.name!r})"


class _Slot:
    """Where a Param's value goes in the compiled statement's parameters."""

    def __init__(self, name: str, field: Field) -> None:
        self.name, self.field = name, field


class _Compiled:
    """One database's statement for a CompiledQuery, and how to read its rows."""

    def __init__(self, queryset: QuerySet[Any], alias: str) -> None:
        compiler = queryset.query.get_compiler(using=alias)
        sql, params = compiler.as_sql()
        frozen = [p for p in params if isinstance(p, datetime.date | datetime.time)]
        if frozen:
            raise ValueError(f"Make these dates or times Params, or they stay fixed: {frozen}")
        self.sql = sql
        self.params = list(params)
        self.slots = [(i, p.name, p.field) for i, p in enumerate(params) if isinstance(p, _Slot)]
        # Columns the ORM adds for its own use (an ORDER BY's) are dropped, as it does.
        self.width = compiler.col_count
        columns = [select[0] for select in compiler.select[: self.width]]
        self.converters = list(compiler.get_converters(columns).items())

    def statement(
        self, alias: str, values: dict[str, Any], limit_offset: str = ""
    ) -> tuple[str, list[Any]]:
        connection = connections[alias]
        params = self.params.copy()
        for index, name, field in self.slots:
            params[index] = field.get_db_prep_value(values[name], connection, prepared=False)
        return (f"{self.sql} {limit_offset}" if limit_offset else self.sql), params

    def rows(self, alias: str, values: dict[str, Any], limit_offset: str = "") -> list[list[Any]]:
        connection = connections[alias]
        sql, params = self.statement(alias, values, limit_offset)
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = [list(row[: self.width]) for row in cursor.fetchall()]
        for index, (converters, expression) in self.converters:
            for row in rows:
                value = row[index]
                for convert in converters:
                    value = convert(value, expression, connection)
                row[index] = value
        return rows


class CompiledQuery:
    """A queryset with Params, compiled once per database and run with their values.

    Gives what the queryset itself would: model instances (with their
    annotations), dicts for ``values()``, tuples for ``values_list()``.
    No ``select_related``, ``only``/``defer`` or reordered ``values_list``.
    """

    def __init__(self, queryset: QuerySet[Any]) -> None:
        query = queryset.query
        if query.select_related or query.deferred_loading[0] or query.extra_select:
            raise ValueError("CompiledQuery takes no select_related, only/defer or extra.")
        self.model: type[Model] = queryset.model
        self.kind = queryset._iterable_class
        if self.kind is ModelIterable:
            self.attnames = [field.attname for field in self.model._meta.concrete_fields]
            self.annotations = list(query.annotation_select)
            queryset = queryset.values_list(*self.attnames, *self.annotations)
        elif self.kind is ValuesIterable:
            self.names = [*queryset.query.values_select, *queryset.query.annotation_select]
        elif self.kind is ValuesListIterable:
            names = [*queryset.query.values_select, *queryset.query.annotation_select]
            if list(queryset._fields or names) != names:  # type: ignore[attr-defined]
                raise ValueError("CompiledQuery takes values_list() in its natural order.")
        else:
            raise ValueError("CompiledQuery takes model instances, values() or values_list().")
        self.queryset = queryset
        self._compiled: dict[str, _Compiled] = {}

    def _compiled_for(self, values: dict[str, Any]) -> tuple[str, _Compiled]:
        alias = router.db_for_read(self.model)
        compiled = self._compiled.get(alias)
        if compiled is None:
            compiled = self._compiled[alias] = _Compiled(self.queryset, alias)
        missing = {name for _index, name, _field in compiled.slots} ^ set(values)
        if missing:
            raise TypeError(f"CompiledQuery needs exactly its Params; wrong: {sorted(missing)}")
        return alias, compiled

    def _run(self, values: dict[str, Any], limit_offset: str = "") -> list[Any]:
        alias, compiled = self._compiled_for(values)
        rows = compiled.rows(alias, values, limit_offset)
        if self.kind is ValuesListIterable:
            return [tuple(row) for row in rows]
        if self.kind is ValuesIterable:
            return [dict(zip(self.names, row, strict=True)) for row in rows]
        return [self._instance(alias, row) for row in rows]

    def _instance(self, alias: str, row: list[Any]) -> Model:
        width = len(self.attnames)
        instance = self.model.from_db(alias, self.attnames, row[:width])
        for name, value in zip(self.annotations, row[width:], strict=True):
            setattr(instance, name, value)
        return instance

    def all(self, **values: Any) -> list[Any]:
        return self._run(values)

    def first(self, **values: Any) -> Any:
        """The first row, or None (put a LIMIT in the queryset if there may be many)."""
        rows = self._run(values)
        return rows[0] if rows else None

    def bind(self, **values: Any) -> "Bound":
        """The query with these values, sliced like a queryset: ``bound[40:61]``."""
        if self.queryset.query.is_sliced:
            raise ValueError("Slice a CompiledQuery through bind(), not in its queryset.")
        return Bound(self, values)


class Bound:
    """A CompiledQuery with its values, read a slice at a time (mutualaid.pagination)."""

    def __init__(self, query: CompiledQuery, values: dict[str, Any]) -> None:
        self.query, self.values = query, values

    def __getitem__(self, index: Any) -> Any:
        return self.query._run(self.values, self._limit_offset(index))

    def sql_with_params(self, index: slice) -> tuple[str, list[Any]]:
        """The statement and parameters ``bound[index]`` sends (to EXPLAIN it)."""
        alias, compiled = self.query._compiled_for(self.values)
        return compiled.statement(alias, self.values, self._limit_offset(index))

    def _limit_offset(self, index: Any) -> str:
        if not isinstance(index, slice) or index.step is not None:
            raise TypeError("Bound takes a slice: bound[start:stop].")
        start, stop = index.start or 0, index.stop
        if start < 0 or (stop is not None and stop < start):
            raise ValueError("Bound takes a slice of non-negative bounds.")
        alias = router.db_for_read(self.query.model)
        return connections[alias].ops.limit_offset_sql(start, stop)

    def __iter__(self) -> Iterator[Any]:
        return iter(self[0:None])
