"""schema.org ClaimReview for one claim: the JSON-LD of its page and the items of claimreview.json."""

from __future__ import annotations

from typing import Any

from .model import Article, Claim, Verdict
from .options import SiteOptions


def appearance(article: Article) -> list[dict[str, Any]]:
    """Where the claim appeared: the checked article, and its archived copy when there is one."""
    work: dict[str, Any] = {"@type": "CreativeWork", "headline": article.title,
                            "publisher": {"@type": "Organization", "name": article.outlet}}
    if article.author:
        work["author"] = {"@type": "Person", "name": article.author}
    if article.url:
        work["url"] = article.url
    if article.published:
        work["datePublished"] = article.published.isoformat()
    elif article.published_range:
        # schema.org has no "published some day between"; an ISO 8601 interval says it plainly.
        span = article.published_range
        work["temporalCoverage"] = f"{span.start.isoformat()}/{span.end.isoformat()}"
    found = [work]
    if article.archive_url:
        found.append({"@type": "CreativeWork", "headline": article.title, "url": article.archive_url,
                      "isBasedOn": article.url or article.title})
    return found


def claim_review(claim: Claim, verdict: Verdict, scale: tuple[Verdict, ...], article: Article,
                 options: SiteOptions) -> dict[str, Any]:
    """The schema.org ClaimReview for one claim (JSON-LD), rated on the verdict scale."""
    ratings = [v.rating_value for v in scale if v.rating_value is not None]
    rating: dict[str, Any] = {"@type": "Rating", "alternateName": verdict.label}
    if verdict.rating_value is not None and ratings:
        rating.update(ratingValue=verdict.rating_value, bestRating=max(ratings), worstRating=min(ratings))
    # Who made the claim: the article's author when it is signed, else the outlet.
    claimant = ({"@type": "Person", "name": article.author} if article.author
                else {"@type": "Organization", "name": article.outlet})
    item: dict[str, Any] = {"@type": "Claim", "author": claimant, "appearance": appearance(article)}
    if article.published:
        item["datePublished"] = article.published.isoformat()
    review: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "url": options.page_url(options.claim_path(claim.id)),
        "claimReviewed": claim.claim,
        "datePublished": claim.reviewed.isoformat(),
    }
    if claim.corrections:
        review["dateModified"] = claim.updated.isoformat()
    review.update({
        "author": {"@type": "Organization", "name": article.organisation.name, "url": article.organisation.url},
        "reviewRating": rating,
        "itemReviewed": item,
    })
    if claim.withdrawal is not None:
        # Kept, not dropped: a reader of the feed or the page learns the review was withdrawn, when
        # and why. The rating stays as the last one published, for the record. schema.org lets a
        # publisher name its own lifecycle terms in creativeWorkStatus.
        review.update(creativeWorkStatus="Withdrawn", dateModified=claim.withdrawn.isoformat(),
                      correction={"@type": "CorrectionComment", "text": claim.withdrawal.note,
                                  "datePublished": claim.withdrawal.date.isoformat()})
    return review
