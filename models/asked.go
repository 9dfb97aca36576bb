package models

import "sync"

// asked remembers, by resume token hash, the keys the round of an
// unfinished response asks (its Keys), as its start, a page's read or a
// save that had to read them finds them, so that the save of a page need
// not read them again (SaveProgressByResumeToken). On SQLite that read
// after each save cost a reader about what the page's own read costs, its
// cache emptied by the write: without it, cmd/icare-load measured 3.01 ms
// of server CPU per survey against 3.25 (32 respondents, five runs each,
// alternating).
//
// Both facts are fixed for as long as the response lasts: a response never
// moves to another round, and a round's keys are set when it is made. So an
// entry is never wrong, only perhaps about a response that is gone, whose
// save then matches nothing all the same; and replicas that share one
// database each keep their own, a replica that did not serve the page
// reading the keys from the database. Nothing else is kept here.
type asked struct {
	mu   sync.Mutex
	keys map[string]string
}

// maxAsked bounds what asked holds (a few MB): a response needs its entry
// only from one page to the next. When it is full, every entry goes at
// once, and each response reads its keys once more.
const maxAsked = 1 << 14

// remember notes that the round of the response with resume token hash
// asks keys.
func (a *asked) remember(hash, keys string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if _, ok := a.keys[hash]; !ok && (a.keys == nil || len(a.keys) >= maxAsked) {
		a.keys = make(map[string]string)
	}
	a.keys[hash] = keys
}

// recall gives the keys remembered for hash, if any.
func (a *asked) recall(hash string) (string, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	keys, ok := a.keys[hash]
	return keys, ok
}

// forget drops hash, whose response is submitted.
func (a *asked) forget(hash string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	delete(a.keys, hash)
}
