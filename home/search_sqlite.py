"""SQLite full-text search whose ranking stays flat: see ``home.search``.

modelsearch's SQLite compiler ranks each result by a subquery that runs the full-text match
afresh and then looks for the result's row among all the matches: with n matches, ordering by
relevance costs n × n (2 s at 2,000 matches). Here the subquery finds the result's index row
first and asks the full-text table for that row only (FTS5 seeks a match by its rowid), so
ranking and paging cost about the same at 20 and at 2,000 matches.
"""

from django.db.models import CharField, FloatField, OuterRef, Subquery
from django.db.models.functions import Cast
from modelsearch.backends.database.sqlite.query import MatchExpression, normalize
from modelsearch.backends.database.sqlite.sqlite import (
    IndexEntry,
    SQLiteFTSIndexEntry,
    SQLiteSearchQueryCompiler,
)
from modelsearch.query import MatchAll, Not
from modelsearch.utils import get_descendants_content_types_pks


class RankedQueryCompiler(SQLiteSearchQueryCompiler):
    def search(self, config, start, stop, score_field=None):
        query = normalize(self.query)
        if not self.order_by_relevance or isinstance(query, (MatchAll, Not)):
            return super().search(config, start, stop, score_field=score_field)
        match = MatchExpression(
            self.fields or self.FTS_TABLE_FIELDS, self.build_search_query(query, config=config)
        )
        rank = self._build_rank_expression(self.get_search_vectors(), config)
        entry = IndexEntry.objects.filter(
            content_type__in=get_descendants_content_types_pks(self.queryset.model),
            object_id=Cast(OuterRef(OuterRef("pk")), CharField()),
        ).values("pk")[:1]
        score = (
            SQLiteFTSIndexEntry.objects.filter(match)
            .filter(index_entry_id=Subquery(entry))
            .annotate(score=rank)
            .values("score")[:1]
        )
        field = score_field or "_score"
        # bm25: the lower, the better; no score, no match.
        return (
            self.queryset.annotate(**{field: Subquery(score, output_field=FloatField())})
            .filter(**{f"{field}__isnull": False})
            .order_by(field, "-pk")[start:stop]
        )
