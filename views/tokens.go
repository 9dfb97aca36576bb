package views

import "time"

// TokensPage is /account/tokens: the account's personal API tokens.
type TokensPage struct {
	Tokens []TokenRow
	// Created is a token just made, shown this once; CreatedName its name.
	Created, CreatedName string
	Name                 string
	Problem              string
	Flash                string
	// APIURL is where the API lives, for the example.
	APIURL string
}

// TokenRow is one token in the list: never the token itself.
type TokenRow struct {
	ID       uint
	Name     string
	Created  time.Time
	LastUsed *time.Time
}
