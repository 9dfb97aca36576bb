package results

import (
	"strings"

	"github.com/icare-hr/icare/scoring"
)

// A measure is one kind of figure that checks the respondents behind it on
// its own (every figure counts its own respondents): the group
// as a whole, each key's mean, the index, each key's favorable / neutral /
// unfavorable split, each statement's figures, and the comments.
type measure int

const (
	// measureAll is the group as a whole: hidden here, nothing of it shows.
	measureAll measure = 0
	// measureKey + k is key k's mean, spread and interval.
	measureKey measure = 1
	// measureIndex is the ICARE index.
	measureIndex = measureKey + scoring.NumKeys
	// measureShare + k is key k's favorable, neutral and unfavorable split.
	measureShare = measureIndex + 1
	// measureItem + i is statement i's mean and split.
	measureItem = measureShare + scoring.NumKeys
	// measureComments is the group's comment list.
	measureComments = measureItem + scoring.NumItems
	numMeasures     = measureComments + 1
)

// size counts the respondents of a aggregate behind measure m.
func (m measure) size(a *scoring.Aggregate) int {
	switch {
	case m == measureAll || m == measureComments:
		return int(a.N)
	case m < measureIndex:
		return int(a.Keys[m-measureKey].Score.N)
	case m == measureIndex:
		return int(a.Index.N)
	case m < measureItem:
		return int(a.Keys[m-measureShare].Answered)
	}
	return int(a.Items[m-measureItem].N)
}

// name is how a publication records measure m: all, comments, index,
// key:ideal, share:ideal, item:I1.
func (m measure) name() string {
	switch {
	case m == measureAll:
		return "all"
	case m == measureComments:
		return "comments"
	case m == measureIndex:
		return "index"
	case m < measureIndex:
		return "key:" + scoring.KeySlugs()[m-measureKey]
	case m < measureItem:
		return "share:" + scoring.KeySlugs()[m-measureShare]
	}
	return "item:" + scoring.ItemID(int(m-measureItem))
}

// measureNamed is the measure a publication's name records, or false.
func measureNamed(s string) (measure, bool) {
	switch s {
	case "all":
		return measureAll, true
	case "comments":
		return measureComments, true
	case "index":
		return measureIndex, true
	}
	kind, rest, _ := strings.Cut(s, ":")
	switch kind {
	case "key", "share":
		for k, slug := range scoring.KeySlugs() {
			if slug == rest {
				if kind == "key" {
					return measureKey + measure(k), true
				}
				return measureShare + measure(k), true
			}
		}
	case "item":
		if i, ok := scoring.ItemIndex(rest); ok {
			return measureItem + measure(i), true
		}
	}
	return 0, false
}
