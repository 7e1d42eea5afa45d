//go:build !race

package conversation

const raceDetector = false
