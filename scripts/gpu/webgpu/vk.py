# Does the NVIDIA Vulkan ICD work headless here? Instance extensions, then an instance with none enabled and its devices.
import ctypes as C, os, sys
v = C.CDLL(sys.argv[1])
class Ext(C.Structure): _fields_ = [('name', C.c_char * 256), ('ver', C.c_uint32)]
n = C.c_uint32()
print('enumerate ext rc', v.vkEnumerateInstanceExtensionProperties(None, C.byref(n), None), n.value)
arr = (Ext * n.value)(); v.vkEnumerateInstanceExtensionProperties(None, C.byref(n), arr)
print('instance extensions:', [e.name.decode() for e in arr])
class ICI(C.Structure): _fields_ = [('sType', C.c_int), ('pNext', C.c_void_p), ('flags', C.c_uint32), ('app', C.c_void_p), ('nl', C.c_uint32), ('layers', C.c_void_p), ('ne', C.c_uint32), ('exts', C.c_void_p)]
ci = ICI(1, None, 0, None, 0, None, 0, None)
inst = C.c_void_p()
print('vkCreateInstance rc', v.vkCreateInstance(C.byref(ci), None, C.byref(inst)))
if inst.value:
    k = C.c_uint32(); v.vkEnumeratePhysicalDevices(inst, C.byref(k), None)
    devs = (C.c_void_p * k.value)(); v.vkEnumeratePhysicalDevices(inst, C.byref(k), devs)
    for d in devs:
        buf = C.create_string_buffer(1024); v.vkGetPhysicalDeviceProperties(C.c_void_p(d), buf)
        api = int.from_bytes(buf.raw[0:4], 'little')
        print('device:', buf.raw[20:276].split(b'\0')[0].decode(), 'api', api >> 22, (api >> 12) & 0x3ff, 'type', int.from_bytes(buf.raw[16:20], 'little'))
