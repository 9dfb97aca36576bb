// Package scoring holds the ICARE v1 instrument and every number icare derives
// from answers: per-response scores, mergeable group aggregates, group
// statistics and the anonymity policy. It is pure: it never touches HTTP, a
// database or a template, and it never knows where its numbers came from.
//
// # One response
//
// An item score is the answer (1–5), or 6 − answer for a reverse-keyed item;
// a skipped item has no score. The mean of a key is the mean of its answered
// item scores, and it is defined only when at least 4 of the key's 5 items are
// answered. The score of a key is (mean − 1) / 4 × 100, so it lies in 0–100.
// The ICARE index is the mean of the five key scores and is defined only when
// all five are. The favorable share of a key is the number of answered item
// scores of 4 or 5 divided by the number of answered items of that key.
//
// # A group
//
// A group (a team, a parent team with its descendants, a perspective, the
// whole organization) is summarised by an [Aggregate]: integer counters that
// can be added response by response and merged group by group, in any order,
// with bit-identical results. [Aggregate.Profile] turns the counters into a
// [GroupProfile]: per key the number of respondents for whom the key is
// defined, the mean of their key scores, the standard deviation (n − 1), a 95%
// confidence interval from Student's t, the favorable percentage pooled over
// all item answers and Cronbach's alpha; the same for the ICARE index; per
// item the mean item score and the favorable percentage; and the strongest and
// weakest key. The organization's profile pools all responses (it is the merge
// of the team aggregates), so it is never a mean of team means.
//
// Scores within 1e-9 of each other are tied, and a tie goes to the earlier key
// in I, C, A, R, E order. Bands are: below 50 Emerging, 50 to below 70
// Developing, 70 to below 85 Strong, 85 and above Legendary. Nothing here
// rounds; rounding is for display and CSV.
//
// # Anonymity
//
// [Shown], [CommentsShown] and [Suppress] state the minimum-group-size rule
// and complementary suppression, so that no group smaller than k can be seen
// directly or worked out by subtracting shown groups from one another.
package scoring
