"""schema.org ClaimReview for one claim: the JSON-LD of its page and the items of claimreview.json."""

from __future__ import annotations

from typing import Any

from .model import Article, Claim, Verdict
from .options import SiteOptions


def claim_review(claim: Claim, verdict: Verdict, scale: tuple[Verdict, ...], article: Article,
                 options: SiteOptions) -> dict[str, Any]:
    """The schema.org ClaimReview for one claim (JSON-LD), rated on the verdict scale."""
    ratings = [v.rating_value for v in scale if v.rating_value is not None]
    rating: dict[str, Any] = {"@type": "Rating", "alternateName": verdict.label}
    if verdict.rating_value is not None and ratings:
        rating.update(ratingValue=verdict.rating_value, bestRating=max(ratings), worstRating=min(ratings))
    appearance: dict[str, Any] = {"@type": "CreativeWork", "headline": article.title,
                                  "publisher": {"@type": "Organization", "name": article.outlet}}
    if article.url:
        appearance["url"] = article.url
    if article.published:
        appearance["datePublished"] = article.published.isoformat()
    return {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "url": options.page_url(options.claim_path(claim.id)),
        "claimReviewed": claim.claim,
        "datePublished": claim.reviewed.isoformat(),
        "author": {"@type": "Organization", "name": article.organisation.name, "url": article.organisation.url},
        "reviewRating": rating,
        "itemReviewed": {"@type": "Claim", "appearance": appearance,
                         "author": {"@type": "Organization", "name": article.outlet}},
    }
