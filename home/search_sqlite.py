"""SQLite full-text search whose ranking stays flat: see ``home.search``.

modelsearch's SQLite compiler orders by a score subquery per result that runs the full-text
match afresh over every match: with n matches a page costs n × n (2 s at 2,000 matches).
Here the full-text table ranks the matches itself, in one pass, and hands back the ids of
the requested page (the count is the same pass without ordering); only the page's dozen rows
get their score again, to be put in that order.
"""

from django.db.models import CharField, FloatField, IntegerField, OuterRef, Subquery
from django.db.models.functions import Cast
from modelsearch.backends.database.sqlite.query import MatchExpression, normalize
from modelsearch.backends.database.sqlite.sqlite import (
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
        within = self.queryset.annotate(_object_id=Cast("pk", CharField())).values("_object_id")
        matches = (
            SQLiteFTSIndexEntry.objects.filter(match)
            .filter(
                index_entry__content_type__in=get_descendants_content_types_pks(
                    self.queryset.model
                ),
                index_entry__object_id__in=within,
            )
            .annotate(score=rank)
        )
        # bm25: the lower, the better; ties by the newest id, as the page below is ordered.
        ranked = matches.order_by(
            "score", Cast("index_entry__object_id", IntegerField()).desc()
        ).values("index_entry__object_id")
        if stop is None and not start:
            queryset = self.queryset.filter(pk__in=ranked)
        else:
            queryset = self.queryset.filter(pk__in=ranked[start:stop])
        score = matches.filter(index_entry__object_id=Cast(OuterRef("pk"), CharField()))
        field = score_field or "_score"
        return queryset.annotate(
            **{field: Subquery(score.values("score")[:1], output_field=FloatField())}
        ).order_by(field, "-pk")
