package models

import (
	"fmt"
	"strconv"

	"github.com/icare-hr/icare/scoring"
)

// AnswerColumns holds the raw answers of one response, one nullable column per
// item of ICARE v1; NULL means the item was skipped.
type AnswerColumns struct {
	I1 *int16 `gorm:"column:i1;type:smallint;check:chk_responses_i1,i1 BETWEEN 1 AND 5"`
	I2 *int16 `gorm:"column:i2;type:smallint;check:chk_responses_i2,i2 BETWEEN 1 AND 5"`
	I3 *int16 `gorm:"column:i3;type:smallint;check:chk_responses_i3,i3 BETWEEN 1 AND 5"`
	I4 *int16 `gorm:"column:i4;type:smallint;check:chk_responses_i4,i4 BETWEEN 1 AND 5"`
	I5 *int16 `gorm:"column:i5;type:smallint;check:chk_responses_i5,i5 BETWEEN 1 AND 5"`
	C1 *int16 `gorm:"column:c1;type:smallint;check:chk_responses_c1,c1 BETWEEN 1 AND 5"`
	C2 *int16 `gorm:"column:c2;type:smallint;check:chk_responses_c2,c2 BETWEEN 1 AND 5"`
	C3 *int16 `gorm:"column:c3;type:smallint;check:chk_responses_c3,c3 BETWEEN 1 AND 5"`
	C4 *int16 `gorm:"column:c4;type:smallint;check:chk_responses_c4,c4 BETWEEN 1 AND 5"`
	C5 *int16 `gorm:"column:c5;type:smallint;check:chk_responses_c5,c5 BETWEEN 1 AND 5"`
	A1 *int16 `gorm:"column:a1;type:smallint;check:chk_responses_a1,a1 BETWEEN 1 AND 5"`
	A2 *int16 `gorm:"column:a2;type:smallint;check:chk_responses_a2,a2 BETWEEN 1 AND 5"`
	A3 *int16 `gorm:"column:a3;type:smallint;check:chk_responses_a3,a3 BETWEEN 1 AND 5"`
	A4 *int16 `gorm:"column:a4;type:smallint;check:chk_responses_a4,a4 BETWEEN 1 AND 5"`
	A5 *int16 `gorm:"column:a5;type:smallint;check:chk_responses_a5,a5 BETWEEN 1 AND 5"`
	R1 *int16 `gorm:"column:r1;type:smallint;check:chk_responses_r1,r1 BETWEEN 1 AND 5"`
	R2 *int16 `gorm:"column:r2;type:smallint;check:chk_responses_r2,r2 BETWEEN 1 AND 5"`
	R3 *int16 `gorm:"column:r3;type:smallint;check:chk_responses_r3,r3 BETWEEN 1 AND 5"`
	R4 *int16 `gorm:"column:r4;type:smallint;check:chk_responses_r4,r4 BETWEEN 1 AND 5"`
	R5 *int16 `gorm:"column:r5;type:smallint;check:chk_responses_r5,r5 BETWEEN 1 AND 5"`
	E1 *int16 `gorm:"column:e1;type:smallint;check:chk_responses_e1,e1 BETWEEN 1 AND 5"`
	E2 *int16 `gorm:"column:e2;type:smallint;check:chk_responses_e2,e2 BETWEEN 1 AND 5"`
	E3 *int16 `gorm:"column:e3;type:smallint;check:chk_responses_e3,e3 BETWEEN 1 AND 5"`
	E4 *int16 `gorm:"column:e4;type:smallint;check:chk_responses_e4,e4 BETWEEN 1 AND 5"`
	E5 *int16 `gorm:"column:e5;type:smallint;check:chk_responses_e5,e5 BETWEEN 1 AND 5"`
}

// AnswerColumnNames lists the answer columns in item order.
var AnswerColumnNames = [scoring.NumItems]string{"i1", "i2", "i3", "i4", "i5", "c1", "c2", "c3", "c4", "c5", "a1", "a2", "a3", "a4", "a5", "r1", "r2", "r3", "r4", "r5", "e1", "e2", "e3", "e4", "e5"}

// itemFields points at the 25 answer fields in item order.
func (r *AnswerColumns) itemFields() [scoring.NumItems]**int16 {
	return [scoring.NumItems]**int16{&r.I1, &r.I2, &r.I3, &r.I4, &r.I5, &r.C1, &r.C2, &r.C3, &r.C4, &r.C5, &r.A1, &r.A2, &r.A3, &r.A4, &r.A5, &r.R1, &r.R2, &r.R3, &r.R4, &r.R5, &r.E1, &r.E2, &r.E3, &r.E4, &r.E5}
}

// scanFields are the 25 answer fields in item order, for a Scan: each reads
// its column without the reflection database/sql gives a **int16.
func (r *AnswerColumns) scanFields() []any {
	fs := make([]any, 0, scoring.NumItems)
	for _, f := range r.itemFields() {
		fs = append(fs, answerField{f})
	}
	return fs
}

// answerField scans an answer column into its field: NULL (skipped) as nil.
type answerField struct{ f **int16 }

func (a answerField) Scan(src any) error {
	var v int64
	switch src := src.(type) {
	case nil:
		*a.f = nil
		return nil
	case int64:
		v = src
	case []byte: // MariaDB's text protocol
		n, err := strconv.ParseInt(string(src), 10, 16)
		if err != nil {
			return fmt.Errorf("answer %q: %w", src, err)
		}
		v = n
	default:
		return fmt.Errorf("answer column holds a %T", src)
	}
	n := int16(v)
	*a.f = &n
	return nil
}

// Answers returns the raw answers in item order, 0 for a skipped item.
func (r AnswerColumns) Answers() scoring.Answers {
	var a scoring.Answers
	for i, f := range r.itemFields() {
		if *f != nil {
			a[i] = uint8(**f)
		}
	}
	return a
}

// setAnswers stores a in the columns, NULL for 0.
func (r *AnswerColumns) setAnswers(a scoring.Answers) {
	for i, f := range r.itemFields() {
		if a[i] == 0 {
			*f = nil
			continue
		}
		v := int16(a[i])
		*f = &v
	}
}
