// Our side of eng/devargs-oracle/compare.sh: ParseDevargsMode over the reference pci/vdev buses.
using Eal.Devargs.Reference;

return EalInfo.ParseDevargsMode.Run(Console.In, Console.Out, ReferenceBuses.CreateParser());
