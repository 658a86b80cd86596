// libtorch's random generator, thread count and seeds are process-wide: tests that seed and draw from it (the
// trainer's exact-resume test above all) must not interleave with other classes, so the assembly runs serially.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
