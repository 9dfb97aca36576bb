package views

import "time"

// CodeEntryPage is the page where a personal code is typed (/c), and where
// a code that cannot be used says why.
type CodeEntryPage struct {
	// Code is what was typed, shown again after a problem.
	Code    string
	Problem string
	// Form is false when typing another code would not help (the code was
	// used or its round has closed).
	Form bool
}

// CodesOnlyPage answers a team's open link when the team uses codes.
type CodesOnlyPage struct {
	TeamName string
}

// TeamCodes is the personal-code part of an admin's team page. It shows
// counts and batches only: nothing on it changes when someone starts or
// submits with a code but the counts.
type TeamCodes struct {
	Access string // "link" or "codes"
	// RoundName is the round codes are made for; empty when there is none.
	RoundName string
	Headcount *int
	// Counts of the round's codes by what became of them.
	Unused, Started, Spent, Withdrawn int
	// Suggested is how many codes would bring the team to its headcount.
	Suggested int
	Batches   []CodeBatchRow
	// Filler is set when the team's latest round has more submitted
	// responses than the team has people.
	Filler      bool
	FillerRound string
}

// CodeBatchRow is one batch of codes that can still be printed.
type CodeBatchRow struct {
	ID   uint64
	Made time.Time
	// Codes is how many codes its slips hold (those made, less those
	// withdrawn by name).
	Codes int
}

// CodeSlipsPage is the printable page of cut-out slips.
type CodeSlipsPage struct {
	TeamName  string
	RoundName string
	// Batch is the batch printed, or 0 for every batch of the round.
	Batch uint64
	// EntryURL is where a code can be typed (…/c).
	EntryURL string
	MinGroup int
	Slips    []CodeSlip
}

// CodeSlip is one slip: the code, its link and the link's QR code.
type CodeSlip struct {
	Code string
	URL  string
	QR   [][]bool
}
