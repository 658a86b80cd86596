using InsightFace.Engine.Distributed;

namespace InsightFace.Engine.Tests.Distributed;

public class MpiLibraryTests
{
    [Fact]
    public void Each_mpiexec_gets_its_own_library_and_other_launchers_either()
    {
        Assert.Equal(["libmpi.so.40"], MpiLibrary.CandidatesFor(JobLauncher.OpenMpi));
        Assert.Equal(["libmpich.so.12"], MpiLibrary.CandidatesFor(JobLauncher.Mpich));
        Assert.Equal(["libmpi.so.40", "libmpich.so.12"], MpiLibrary.CandidatesFor(JobLauncher.Slurm));
        Assert.Equal(["libmpi.so.40", "libmpich.so.12"], MpiLibrary.CandidatesFor(JobLauncher.None));
    }

    [Fact]
    public void No_library_that_loads_is_MpiNotInstalled_naming_the_Debian_packages()
    {
        var e = Assert.Throws<DistributedException>(() => MpiLibrary.Load(["libmpi-missing.so.99", "libmpich-missing.so.99"]));

        Assert.Equal(ErrorIds.MpiNotInstalled, e.ErrorId);
        Assert.Equal(ErrorKind.ResourceUnavailable, e.Kind);
        Assert.Contains("libmpi-missing.so.99, libmpich-missing.so.99", e.Message);
        Assert.Contains("'mpich'", e.Message);
        Assert.Contains("'openmpi-bin'", e.Message);
    }
}
