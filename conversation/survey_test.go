package conversation

import "testing"

func TestReadScore(t *testing.T) {
	for _, tc := range []struct {
		in   string
		n    int
		read ScoreReading
	}{
		{"5", 5, Score}, {"１", 1, Score}, {" 4分", 4, Score}, {"3 stars", 3, Score},
		{"很满意", 5, Score}, {"满意", 4, Score}, {"一般", 3, Score}, {"不满意", 2, Score}, {"很不满意", 1, Score},
		{"Great!", 5, Score}, {"good", 4, Score}, {"ok", 3, Score}, {"bad", 2, Score}, {"terrible", 1, Score},
		{"5. 很满意", 5, Score}, {"2. Bad", 2, Score},
		{"0", 0, OutOfRange}, {"6", 0, OutOfRange}, {"10", 0, OutOfRange},
		{"the tea was lovely", 0, NotAScore}, {"", 0, NotAScore}, {"5. terrible", 0, NotAScore}, {"100023", 0, OutOfRange},
	} {
		n, read := ReadScore(tc.in)
		if n != tc.n || read != tc.read {
			t.Errorf("ReadScore(%q) = %d, %d; want %d, %d", tc.in, n, read, tc.n, tc.read)
		}
	}
}

func TestSurveyQuestionOptionsAreTheScores(t *testing.T) {
	for _, lang := range []Lang{English, Chinese} {
		r := SurveyQuestion(lang, 42, "100023", "")
		checkReply(t, r)
		if len(r.Options) != 5 {
			t.Fatalf("%d options", len(r.Options))
		}
		for i, o := range r.Options {
			id, score, ok := SurveyButton(o.Key)
			if !ok || id != 42 || score != i+1 {
				t.Fatalf("option %d key %q reads %d %d %v", i+1, o.Key, id, score, ok)
			}
			if n, read := ReadScore(o.Label); read != Score || n != i+1 {
				t.Fatalf("label %q reads %d", o.Label, n)
			}
		}
		if !contains(r.Text, "100023") {
			t.Fatalf("question %q names no order", r.Text)
		}
	}
	if r := SurveyQuestion(Chinese, 7, "100023", "S100004"); !contains(r.Text, "售后申请 S100004") {
		t.Fatalf("request survey %q", r.Text)
	}
	for _, bad := range []string{"survey:42:6", "survey:42:0", "survey:x:1", "survey:-1:2", "browse", "survey:42"} {
		if _, _, ok := SurveyButton(bad); ok {
			t.Errorf("SurveyButton(%q) accepted", bad)
		}
	}
	if id, score, ok := SurveyButton(SurveyReply(English, 9, SurveyThanks).Options[0].Key); !ok || id != 9 || score != 0 {
		t.Fatalf("skip reads %d %d %v", id, score, ok)
	}
}

func TestIsCommand(t *testing.T) {
	for in, want := range map[string]bool{"menu": true, "退订": true, "订单 100023": true, "5": false, "the tea was cold": false} {
		if IsCommand(in) != want {
			t.Errorf("IsCommand(%q) != %v", in, want)
		}
	}
}
