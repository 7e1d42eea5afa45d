//go:build race

package conversation

// raceDetector: the race detector allocates on its own, so allocation
// counts do not compare.
const raceDetector = true
