using System.Runtime.CompilerServices;

// Every P/Invoke of this assembly is blittable ([LibraryImport] with pointers and primitives only), so the
// runtime marshaller is switched off: a non-blittable signature becomes a compile-time error, not a copy.
[assembly: DisableRuntimeMarshalling]
