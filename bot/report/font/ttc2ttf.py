import struct,sys
data=open(sys.argv[1],'rb').read()
tag,ver,num=struct.unpack('>4sII',data[:12])
off=struct.unpack('>I',data[12+4*int(sys.argv[3]):16+4*int(sys.argv[3])])[0]
sfv,nt=struct.unpack('>IH',data[off:off+6])
tables=[]
for i in range(nt):
    t,cs,o,l=struct.unpack('>4sIII',data[off+12+16*i:off+28+16*i])
    tables.append((t,cs,o,l))

hdr=data[off:off+12]
cur=12+16*nt
dirs=b'';body=b''
for t,cs,o,l in tables:
    dirs+=struct.pack('>4sIII',t,cs,cur+len(body),l)
    body+=data[o:o+l]+b'\0'*((4-l%4)%4)
open(sys.argv[2],'wb').write(hdr+dirs+body)
